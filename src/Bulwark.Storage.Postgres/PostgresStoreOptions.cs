using Bulwark.Core.Audit;

namespace Bulwark.Storage.Postgres;

/// <summary>
/// How the store reaches PostgreSQL. <paramref name="ConnectionString"/> is the application login,
/// which must own nothing (TEN-2: row-level security binds only roles that do not own the tables);
/// <paramref name="OwnerConnectionString"/> is the schema owner, used by <see cref="PostgresStore.MigrateAsync"/>
/// alone and closed right after. Either may be in key/value or <c>postgres://</c> URL form.
/// </summary>
public sealed record PostgresStoreOptions(string ConnectionString, string? OwnerConnectionString = null)
{
    /// <summary>
    /// Seals the audit chain (AUD-2, <c>BULWARK_AUDIT_KEY</c>); every node sharing the database must
    /// hold the same one. Null: the store reads and migrates, but refuses to write an audit entry.
    /// </summary>
    public AuditKey? AuditKey { get; init; }
}
