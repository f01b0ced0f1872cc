using Bulwark.Core.Identity;

namespace Bulwark.Storage.Postgres.Rows;

internal sealed class RevocationRow
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
