using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// A digest of every row of a table, read as the superuser: a refused statement is proven to have
/// written nothing when the digest is the same after it as before.
/// </summary>
public static class TableSnapshot
{
    public static Task<string> OfAsync(NpgsqlConnection superuser, string table) =>
        WallSql.ScalarAsync<string>(superuser,
            $"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), 'empty') FROM {WallSql.Table(table)} t");

    public static async Task<Dictionary<string, string>> OfAllAsync(NpgsqlConnection superuser, IEnumerable<string> tables)
    {
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            digests[table] = await OfAsync(superuser, table);
        }

        return digests;
    }
}
