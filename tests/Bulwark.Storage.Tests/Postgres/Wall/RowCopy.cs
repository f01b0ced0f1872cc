using System.Text.Json;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// Writes through raw SQL a copy of a row the store wrote, with some columns changed (the tenant,
/// a parent id): an attacker's row shaped exactly like a real one, so that whatever refuses it
/// is the wall and not a NOT NULL or CHECK the attacker would simply have satisfied. Identity
/// and generated columns are left to their defaults.
/// </summary>
public static class RowCopy
{
    /// <summary>One row of <paramref name="table"/> whose tenant column is <paramref name="tenantId"/>, as JSON, read as the superuser.</summary>
    public static async Task<string> ReadAsync(NpgsqlConnection superuser, string table, string tenantId)
    {
        var row = await WallSql.ScalarAsync<string>(superuser,
            $"SELECT to_jsonb(t)::text FROM {WallSql.Table(table)} t WHERE {WallSql.Quote(WallCatalog.TenantColumn(table))} = @tenant LIMIT 1",
            ("tenant", tenantId));
        return row ?? throw new InvalidOperationException($"No row of {tenantId} in {table}: the seed does not reach it.");
    }

    /// <summary>
    /// Inserts <paramref name="rowJson"/> with <paramref name="changes"/> applied, on the caller's
    /// session (its tenant setting is the caller's business).
    /// </summary>
    public static async Task<int> InsertAsync(NpgsqlConnection connection, string table, string rowJson, IReadOnlyDictionary<string, object?> changes)
    {
        var columns = await WallSql.ListAsync(connection,
            """
            SELECT a.attname FROM pg_attribute a
            WHERE a.attrelid = @table::regclass AND a.attnum > 0 AND NOT a.attisdropped
              AND a.attgenerated = '' AND a.attidentity = ''
              AND NOT EXISTS (SELECT FROM pg_attrdef d
                              WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                                AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
            ORDER BY a.attnum
            """,
            r => WallSql.Quote(r.GetString(0)), ("table", WallSql.Table(table)));
        var list = string.Join(", ", columns);
        return await WallSql.ExecuteAsync(connection,
            $"""
            INSERT INTO {WallSql.Table(table)} ({list})
            SELECT {list} FROM jsonb_populate_record(NULL::{WallSql.Table(table)}, @row::jsonb || @changes::jsonb)
            """,
            ("row", rowJson), ("changes", JsonSerializer.Serialize(changes)));
    }
}
