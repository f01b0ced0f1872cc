using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Postgres.Rows;

internal sealed class TenantRow
{
    public const string Columns = "id AS Id, name AS Name, created_at AS CreatedAt, suspended AS Suspended";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public long CreatedAt { get; set; }
    public bool Suspended { get; set; }

    public Tenant ToTenant() => new(Id, Name, UnixMs.To(CreatedAt), Suspended);
}
