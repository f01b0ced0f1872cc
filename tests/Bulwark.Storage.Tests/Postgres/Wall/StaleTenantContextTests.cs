using Bulwark.Storage.Postgres;
using Npgsql;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-06/07, TEN-2: the tenant lives exactly as long as the transaction that set it. A physical
/// connection reused after it, by the same code or by the pool for the next request, carries no
/// tenant (and reads '' where the setting once was: the reason every policy uses NULLIF).
/// </summary>
public sealed class StaleTenantContextTests : WallTests
{
    [Fact] // RLS-06
    public async Task Same_connection_after_a_committed_tenant_transaction_sees_no_tenant_rows()
    {
        var tables = await TablesAsync();
        await using var app = await Wall.OpenAppAsync();
        await using (var first = await WallSql.BeginAsTenantAsync(app, A.Id))
        {
            Assert.Contains(await TenantProbe.VisibleAsync(app, tables), r => r.Tenant == A.Id);
            await first.CommitAsync();
        }

        // PostgreSQL 15 keeps the placeholder: '' now, not NULL (notes/postgres-rls.md T3).
        Assert.Equal("", await CurrentTenantAsync(app));
        Assert.Empty(TenantProbe.Forbidden(await TenantProbe.VisibleAsync(app, tables), tenantId: null));
        await using var second = await WallSql.BeginAsTenantAsync(app, tenantId: null);
        Assert.Empty(TenantProbe.Forbidden(await TenantProbe.VisibleAsync(app, tables), tenantId: null));
    }

    [Fact] // RLS-06
    public async Task Same_connection_after_a_rolled_back_tenant_transaction_sees_no_tenant_rows()
    {
        var tables = await TablesAsync();
        await using var app = await Wall.OpenAppAsync();
        await using (var first = await WallSql.BeginAsTenantAsync(app, A.Id))
        {
            Assert.Contains(await TenantProbe.VisibleAsync(app, tables), r => r.Tenant == A.Id);
            await first.RollbackAsync();
        }

        Assert.Empty(TenantProbe.Forbidden(await TenantProbe.VisibleAsync(app, tables), tenantId: null));
    }

    [Theory] // RLS-07/08: the Npgsql pool without reset (no DISCARD ALL between requests)
    [InlineData("none")]
    [InlineData("B")]
    public async Task Pooled_connection_without_reset_never_carries_tenant_A_into_the_next_request(string next)
    {
        var tables = await TablesAsync();
        var pooled = new NpgsqlConnectionStringBuilder(Wall.Database.AppConnectionString)
        {
            Pooling = true,
            MaxPoolSize = 1,
            NoResetOnClose = true,
        }.ToString();
        await using var source = NpgsqlDataSource.Create(pooled);
        int firstBackend;

        // Request 1, as A, on the pool's only connection.
        await using (var connection = await source.OpenConnectionAsync())
        {
            firstBackend = await WallSql.ScalarAsync<int>(connection, "SELECT pg_backend_pid()");
            await using var transaction = await WallSql.BeginAsTenantAsync(connection, A.Id);
            Assert.Contains(await TenantProbe.VisibleAsync(connection, tables), r => r.Tenant == A.Id);
            await transaction.CommitAsync();
        }

        // Request 2 on the same physical connection, as B or as nobody.
        await using (var connection = await source.OpenConnectionAsync())
        {
            Assert.Equal(firstBackend, await WallSql.ScalarAsync<int>(connection, "SELECT pg_backend_pid()"));
            var tenant = next == "B" ? B.Id : null;
            await using var transaction = await WallSql.BeginAsTenantAsync(connection, tenant);
            var seen = await TenantProbe.VisibleAsync(connection, tables);

            Assert.DoesNotContain(seen, r => r.Tenant == A.Id);
            Assert.Empty(TenantProbe.Forbidden(seen, tenant));
        }
    }

    private async Task<List<string>> TablesAsync()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        return await WallCatalog.TablesAsync(superuser);
    }

    private static Task<string> CurrentTenantAsync(NpgsqlConnection connection) =>
        WallSql.ScalarAsync<string>(connection, "SELECT current_setting(@setting, true)",
            ("setting", PostgresSchema.TenantSetting));
}
