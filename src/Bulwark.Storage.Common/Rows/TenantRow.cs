using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A tenants row as selected with <see cref="Columns"/>.</summary>
public sealed class TenantRow
{
    public const string Columns = "id AS Id, name AS Name, created_at AS CreatedAt, suspended AS Suspended";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public long CreatedAt { get; set; }
    /// <summary>A PostgreSQL boolean, or a SQLite integer 0/1 (converted as it is read).</summary>
    public bool Suspended { get; set; }

    public Tenant ToTenant() => new(Id, Name, UnixMs.To(CreatedAt), Suspended);
}
