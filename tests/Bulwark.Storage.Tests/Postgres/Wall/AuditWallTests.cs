namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-22, TEN-2, AUD-1: the audit log is tenant data like any other. A tenant reads its own
/// entries only; the operator's entries (no tenant) are written by a session without a tenant
/// and read by nobody through the application login; nobody forges an entry into a tenant it does
/// not act for, and nobody rewrites one.
/// </summary>
public sealed class AuditWallTests : WallTests
{
    private static string AuditLog => WallSql.Table("audit_log");

    [Theory] // RLS-22
    [InlineData("B")]
    [InlineData("none")]
    public async Task Entries_of_A_are_invisible_to_B_and_to_a_session_without_tenant(string who)
    {
        await using var app = await Wall.OpenAppAsync();
        await using var transaction = await WallSql.BeginAsTenantAsync(app, who == "B" ? B.Id : null);

        Assert.Equal(0L, await WallSql.ScalarAsync<long>(app,
            $"SELECT count(*) FROM {AuditLog} WHERE tenant_id = @a OR target = @secret OR detail_json::text LIKE '%' || @secret || '%'",
            ("a", A.Id), ("secret", A.Secret)));
        Assert.Equal(0L, await WallSql.ScalarAsync<long>(app,
            $"SELECT count(*) FROM {AuditLog} WHERE tenant_id IS NULL"));
    }

    [Fact] // RLS-12, AUD-3: the retention functions answer only for the chain the transaction acts for
    public async Task Retention_functions_refuse_another_tenants_chain()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var before = await TableSnapshot.OfAsync(superuser, "audit_log");
        await using var app = await Wall.OpenAppAsync();

        await using (var transaction = await WallSql.BeginAsTenantAsync(app, B.Id))
        {
            // Far in the future: for B's own chain this would cover every entry.
            Assert.Equal(0L, await WallSql.ScalarAsync<long>(app,
                "SELECT count(*) FROM bulwark.audit_cut(@a, 9000000000000)", ("a", A.Id)));
            Assert.True(await WallSql.ScalarAsync<long>(app,
                "SELECT covered FROM bulwark.audit_cut(@b, 9000000000000)", ("b", B.Id)) > 0);
        }

        await using (var transaction = await WallSql.BeginAsTenantAsync(app, B.Id))
        {
            var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => WallSql.ScalarAsync<long>(app,
                "SELECT bulwark.remove_audit_through(@a, 1)", ("a", A.Id)));
            Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        Assert.Equal(before, await TableSnapshot.OfAsync(superuser, "audit_log"));
    }

    [Fact] // RLS-22: through the store as well, B's listing holds none of A's entries
    public async Task Store_audit_listing_of_B_holds_none_of_As_entries()
    {
        var listed = await Wall.Store.ListAuditAsync(B.Scope, 1000, CancellationToken.None);

        Assert.NotEmpty(listed);
        Assert.All(listed, e => Assert.Equal(B.Id, e.TenantId));
    }

    [Theory] // RLS-22, RLS-09: an entry forged into A by B or by a session without tenant is refused
    [InlineData("B")]
    [InlineData("none")]
    public async Task Writing_an_entry_into_A_without_acting_as_A_is_refused(string who)
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var before = await TableSnapshot.OfAsync(superuser, "audit_log");
        var row = await RowCopy.ReadAsync(superuser, "audit_log", A.Id);
        await using var app = await Wall.OpenAppAsync();

        var attempt = await WriteAttempt.RunAsync(app, who == "B" ? B.Id : null, c => RowCopy.InsertAsync(
            c, "audit_log", row, new Dictionary<string, object?> { ["target"] = "forged" }));

        Assert.True(attempt.RefusedByPolicy, attempt.ToString());
        Assert.Equal(before, await TableSnapshot.OfAsync(superuser, "audit_log"));
    }

    [Fact] // RLS-22: the operator's entry is written without a tenant, and then not even its writer reads it
    public async Task Session_without_tenant_appends_an_operator_entry_it_cannot_read_back()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var row = await WallSql.ScalarAsync<string>(superuser,
            $"SELECT to_jsonb(t)::text FROM {AuditLog} t WHERE tenant_id IS NULL LIMIT 1");
        await using var app = await Wall.OpenAppAsync();

        var attempt = await WriteAttempt.RunAsync(app, null, c => RowCopy.InsertAsync(
            // A chain number of its own: (chain, chain_seq) is unique (AUD-2), and verify would name this copy.
            c, "audit_log", row, new Dictionary<string, object?> { ["target"] = "operator-again", ["chain_seq"] = 1_000_000 }));

        Assert.Equal(1, attempt.Rows);
        Assert.Equal(0L, await WallSql.ScalarAsync<long>(app, $"SELECT count(*) FROM {AuditLog}"));
        Assert.Equal(1L, await WallSql.ScalarAsync<long>(superuser,
            $"SELECT count(*) FROM {AuditLog} WHERE tenant_id IS NULL AND target = 'operator-again'"));
    }

    [Theory] // AUD-1: append-only holds for the application login even on its own tenant's entries
    [InlineData("UPDATE {0} SET outcome = 'denied' WHERE tenant_id = @a")]
    [InlineData("DELETE FROM {0} WHERE tenant_id = @a")]
    public async Task Own_entries_cannot_be_changed_or_deleted(string statement)
    {
        await using var superuser = await Wall.OpenSuperuserAsync();
        var before = await TableSnapshot.OfAsync(superuser, "audit_log");
        await using var app = await Wall.OpenAppAsync();

        var attempt = await WriteAttempt.RunAsync(app, A.Id,
            string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, AuditLog), ("a", A.Id));

        Assert.NotNull(attempt.Refusal);
        Assert.Equal(before, await TableSnapshot.OfAsync(superuser, "audit_log"));
    }
}
