using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-04/05: <c>SELECT … FROM bulwark.&lt;table&gt;</c> with NO tenant filter, counted by tenant
/// column, on whatever session the caller prepared. Whatever the session sees is what a query
/// that forgot its WHERE clause would return.
/// </summary>
public static class TenantProbe
{
    /// <summary>
    /// Tables whose rows without a tenant every tenant may read (global templates). Everywhere
    /// else a row without a tenant is the operator's and readable by no tenant.
    /// </summary>
    public static IReadOnlySet<string> GloballyReadableTables { get; } = new HashSet<string>(StringComparer.Ordinal) { "templates" };

    /// <summary>
    /// What this session sees of each table. A table whose tenant column the login may not read at
    /// all is left out (privileges refused it before row-level security had to); the caller learns
    /// which through <paramref name="unreadable"/>.
    /// </summary>
    public static async Task<List<VisibleRows>> VisibleAsync(NpgsqlConnection connection, IEnumerable<string> tables, List<string>? unreadable = null)
    {
        var visible = new List<VisibleRows>();
        foreach (var table in tables)
        {
            var column = WallCatalog.TenantColumn(table);
            var readable = await WallSql.ScalarAsync<bool>(connection,
                "SELECT has_column_privilege(@table, @column, 'SELECT')", ("table", WallSql.Table(table)), ("column", column));
            if (!readable)
            {
                unreadable?.Add(table);
                continue;
            }

            visible.AddRange(await WallSql.ListAsync(connection,
                $"SELECT {WallSql.Quote(column)}::text, count(*) FROM {WallSql.Table(table)} GROUP BY 1",
                r => new VisibleRows(table, r.IsDBNull(0) ? null : r.GetString(0), r.GetInt64(1))));
        }

        // Ordinal, whatever the database's collation: results are compared as lists.
        return visible.OrderBy(v => v.Table, StringComparer.Ordinal).ThenBy(v => v.Tenant, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The rows among <paramref name="visible"/> that a session acting as <paramref name="tenantId"/>
    /// (null: no tenant) must never see: another tenant's, and rows of no tenant outside
    /// <see cref="GloballyReadableTables"/>.
    /// </summary>
    public static List<VisibleRows> Forbidden(IEnumerable<VisibleRows> visible, string? tenantId) =>
        visible
            .Where(v => v.Tenant is null
                ? !GloballyReadableTables.Contains(v.Table)
                : tenantId is null || v.Tenant != tenantId)
            .ToList();
}
