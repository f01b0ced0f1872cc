using Bulwark.Core.Identity;

namespace Bulwark.Server.Revocation;

/// <summary>A revocation as the API shows it.</summary>
internal sealed record RevocationView(string Id, string Kind, string Value, DateTimeOffset CreatedAt, string? Reason)
{
    public static RevocationView Of(Core.Identity.Revocation r) => new(r.Id, r.Kind.ToName(), r.Value, r.CreatedAt, r.Reason);
}
