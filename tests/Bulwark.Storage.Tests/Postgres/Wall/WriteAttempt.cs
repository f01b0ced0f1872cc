using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// One write tried through raw SQL in a transaction of its own carrying <c>tenant</c>: committed
/// when PostgreSQL let it through (so that whatever it did is there for the superuser to find),
/// rolled back when refused.
/// </summary>
public sealed record WriteAttempt(int? Rows, PostgresException? Refusal)
{
    public bool RefusedByPolicy => Refusal is { SqlState: PostgresErrorCodes.InsufficientPrivilege } r
        && r.MessageText.Contains("row-level security", StringComparison.Ordinal);

    public bool RefusedByPrivilege => Refusal is { SqlState: PostgresErrorCodes.InsufficientPrivilege } r
        && r.MessageText.StartsWith("permission denied", StringComparison.Ordinal);

    public static async Task<WriteAttempt> RunAsync(NpgsqlConnection connection, string? tenantId, Func<NpgsqlConnection, Task<int>> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        await using var transaction = await WallSql.BeginAsTenantAsync(connection, tenantId);
        try
        {
            var rows = await write(connection);
            await transaction.CommitAsync();
            return new WriteAttempt(rows, null);
        }
        catch (PostgresException e)
        {
            await transaction.RollbackAsync();
            return new WriteAttempt(null, e);
        }
    }

    public static Task<WriteAttempt> RunAsync(NpgsqlConnection connection, string? tenantId, string sql, params (string Name, object? Value)[] parameters) =>
        RunAsync(connection, tenantId, c => WallSql.ExecuteAsync(c, sql, parameters));

    public override string ToString() =>
        Refusal is { } e ? $"refused {e.SqlState}: {e.MessageText}" : $"{Rows} row(s) written";
}
