using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;

namespace Bulwark.Server.Operations;

/// <summary>
/// OPS-1: the first start of an empty store creates tenant <c>default</c> and one admin key,
/// and shows that key once. The store makes the check and the insert one transaction, so two
/// nodes starting together cannot both print a key.
/// </summary>
internal static class FirstStart
{
    public const string DefaultTenant = "default";

    /// <summary>The admin key's plaintext when this call bootstrapped the store; otherwise null.</summary>
    public static async Task<string?> BootstrapAsync(IBulwarkStore store, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var tenant = new Tenant("ten_" + Guid.CreateVersion7(now).ToString("N"), DefaultTenant, now);
        var (key, plaintext) = new OperatorCommands(store, time).NewKey(tenant.Id, [Scopes.All], expiresIn: null, "bootstrap-admin");
        if (!await store.TryBootstrapAsync(tenant, key, ct))
        {
            return null;
        }

        // AUD-1: the first credential of the store is a credential change like any other.
        await store.AppendAuditAsync(
            new Core.Audit.AuditEntry
            {
                At = now,
                TenantId = tenant.Id,
                Actor = "operator",
                Action = "tenant.bootstrap",
                Target = DefaultTenant,
                Outcome = "success",
                DetailJson = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["key_id"] = key.Id }),
            },
            ct);
        return plaintext;
    }
}
