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
        return await store.TryBootstrapAsync(tenant, key, ct) ? plaintext : null;
    }
}
