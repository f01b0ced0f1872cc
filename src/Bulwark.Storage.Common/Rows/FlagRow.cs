using Bulwark.Core.Flags;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A flags row as selected with <see cref="Columns"/>, and the parameters of its write.</summary>
public sealed class FlagRow
{
    public const string Columns =
        "tenant_id AS TenantId, name AS Name, enabled AS Enabled, changed_by AS ChangedBy, changed_at AS ChangedAt";

    /// <summary>None for a node-wide value.</summary>
    public string? TenantId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>A PostgreSQL boolean, or a SQLite integer 0/1 (converted as it is read and as it is bound).</summary>
    public bool Enabled { get; set; }
    public string ChangedBy { get; set; } = "";
    public long ChangedAt { get; set; }

    /// <summary>The row to write; refuses a flag without a name.</summary>
    public static FlagRow From(StoredFlag flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        ArgumentException.ThrowIfNullOrEmpty(flag.Name);
        return new()
        {
            TenantId = flag.TenantId,
            Name = flag.Name,
            Enabled = flag.On,
            ChangedBy = flag.ChangedBy,
            ChangedAt = UnixMs.From(flag.ChangedAt),
        };
    }

    public StoredFlag ToRecord() => new(TenantId, Name, Enabled, ChangedBy, UnixMs.To(ChangedAt));
}
