using Bulwark.Core.Identity;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A revocations row as selected with <see cref="Columns"/>, and the parameters of its insert.</summary>
public sealed class RevocationRow
{
    public const string Columns =
        "id AS Id, kind AS Kind, tenant_id AS TenantId, value AS Value, created_at AS CreatedAt, "
        + "expires_at AS ExpiresAt, reason AS Reason, actor AS Actor";

    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? TenantId { get; set; }
    public string Value { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public string? Reason { get; set; }
    public string Actor { get; set; } = "";

    /// <summary>The row to insert; refuses a revocation in every tenant (no tenant) of any kind but jti.</summary>
    public static RevocationRow From(Revocation revocation)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        if (revocation.TenantId is null && revocation.Kind != RevocationKind.Jti)
        {
            throw new ArgumentException("Only a jti revocation may hold in every tenant.", nameof(revocation));
        }

        return new()
        {
            Id = revocation.Id,
            Kind = revocation.Kind.ToName(),
            TenantId = revocation.TenantId,
            Value = revocation.Value,
            CreatedAt = UnixMs.From(revocation.CreatedAt),
            ExpiresAt = UnixMs.From(revocation.ExpiresAt),
            Reason = revocation.Reason,
            Actor = revocation.Actor,
        };
    }

    public Revocation ToRevocation() => new()
    {
        Id = Id,
        Kind = RevocationKinds.Parse(Kind),
        TenantId = TenantId,
        Value = Value,
        CreatedAt = UnixMs.To(CreatedAt),
        ExpiresAt = UnixMs.To(ExpiresAt),
        Reason = Reason,
        Actor = Actor,
    };
}
