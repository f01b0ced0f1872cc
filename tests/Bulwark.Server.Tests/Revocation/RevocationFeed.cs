using System.Reflection;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using RevocationRecord = Bulwark.Core.Identity.Revocation;

namespace Bulwark.Server.Tests.Revocation;

/// <summary>
/// A store that answers only what the revocation cache reads (revocations, tenants), from lists
/// the test changes; any other call fails the test. A proxy, so the store's growing interface
/// never has to be mirrored here.
/// </summary>
public class RevocationFeed : DispatchProxy
{
    public List<RevocationRecord> Revocations { get; } = [];
    public List<Tenant> Tenants { get; } = [];

    /// <summary>Completes the next <c>ListRevocationsAsync</c> only when released, to race a refresh against a write.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public static (IBulwarkStore Store, RevocationFeed Feed) Create()
    {
        var store = Create<IBulwarkStore, RevocationFeed>();
        return (store, (RevocationFeed)(object)store);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        nameof(IBulwarkStore.ListRevocationsAsync) => ListAsync((DateTimeOffset)args![0]!),
        nameof(IBulwarkStore.ListTenantsAsync) => Task.FromResult<IReadOnlyList<Tenant>>(Tenants.ToList()),
        _ => throw new NotSupportedException($"The revocation cache must not call {targetMethod?.Name}."),
    };

    private async Task<IReadOnlyList<RevocationRecord>> ListAsync(DateTimeOffset now)
    {
        // The snapshot is taken when the call starts, as a real query would read it.
        var snapshot = Revocations.Where(r => r.IsInForceAt(now)).ToList();
        if (Gate is { } gate)
        {
            Gate = null;
            await gate.Task;
        }

        return snapshot;
    }
}
