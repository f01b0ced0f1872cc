using System.Collections.Concurrent;
using Bulwark.Core.Jobs;
using Bulwark.Core.Redaction;
using Bulwark.Core.Secrets;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Secrets;

/// <summary>
/// Resolves a run's secrets at its launch (SEC-2, SEC-3) for the job's tenant and this server's
/// <c>BULWARK_ENV</c>, from the providers in their fixed order: <c>BULWARK_SECRETS_DIR</c>, then
/// <c>BULWARK_SECRET_*</c> variables. While the run lives its redactor is kept here, so the
/// runtime API can redact what the job sends through it (SEC-4).
/// </summary>
internal sealed class RunSecrets(IBulwarkStore store, BulwarkOptions options, ServerRedactor server)
{
    private readonly SecretResolver _resolver = new(ProvidersFor(options));
    private readonly ConcurrentDictionary<string, (Lease Lease, Redactor Redactor)> _live = new(StringComparer.Ordinal);

    public static IReadOnlyList<ISecretProvider> ProvidersFor(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var providers = new List<ISecretProvider>();
        if (!string.IsNullOrWhiteSpace(options.SecretsDir))
        {
            providers.Add(new SecretsDirectoryProvider(options.SecretsDir));
        }

        providers.Add(new EnvironmentSecretProvider());
        return providers;
    }

    /// <exception cref="SecretRefusedException">A secret is missing or refused: the run fails for good, naming it.</exception>
    public async Task<RunSecretSet> ResolveAsync(ClaimedJob claimed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        var names = claimed.Template.Definition.Secrets;
        if (names.Count == 0)
        {
            return new RunSecretSet([], server.Redactor);
        }

        var tenant = await store.FindTenantByIdAsync(claimed.Job.TenantId, ct)
            ?? throw new SecretRefusedException("The job's tenant no longer exists; its secrets are not resolved.", "secret_refused");
        var secrets = _resolver.Resolve(options.Env, tenant.Name, names);
        return new RunSecretSet(secrets, Redactor.For(secrets.Select(s => s.Value).Concat(ServerSecrets.ValuesOf(options))));
    }

    /// <summary>Makes the run's redactor the one its runtime API calls use, until the returned handle is disposed.</summary>
    public IDisposable Open(Lease lease, Redactor redactor)
    {
        _live[lease.JobId] = (lease, redactor);
        return new Closing(() => _live.TryRemove(new KeyValuePair<string, (Lease, Redactor)>(lease.JobId, (lease, redactor))));
    }

    /// <summary>The redactor of the live run holding <paramref name="lease"/>; the node-wide one otherwise.</summary>
    public Redactor RedactorOf(Lease lease) =>
        _live.TryGetValue(lease.JobId, out var live) && live.Lease == lease ? live.Redactor : server.Redactor;

    private sealed class Closing(Action close) : IDisposable
    {
        public void Dispose() => close();
    }
}
