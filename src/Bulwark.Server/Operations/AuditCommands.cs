using System.Runtime.CompilerServices;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Errors;
using Bulwark.Core.Storage;

namespace Bulwark.Server.Operations;

/// <summary>
/// The operator's audit commands (AUD-2, FLAG-4), straight against the store like the tenant
/// commands; each is itself audited on the system chain.
/// </summary>
public sealed class AuditCommands(IBulwarkStore store, AuditKey key, TimeProvider time)
{
    private const int ExportPage = 1000;

    /// <summary>Recomputes every chain; the outcome is recorded as <c>audit.verify</c>.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        var verification = await AuditVerifier.VerifyAsync(store, key, ct);
        await RecordAsync("audit.verify", null, verification.Whole ? "success" : "failure",
            JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["entries"] = verification.Entries,
                ["chains"] = verification.Chains,
                ["first_break"] = verification.FirstBreak?.Describe(),
            }),
            ct);
        return verification;
    }

    /// <summary>
    /// Every entry written in [<paramref name="from"/>, <paramref name="to"/>), of one tenant's chain
    /// when <paramref name="tenantName"/> is given, in store order. The export is recorded first.
    /// </summary>
    public async IAsyncEnumerable<SealedAuditEntry> ExportAsync(
        DateTimeOffset from, DateTimeOffset to, string? tenantName, [EnumeratorCancellation] CancellationToken ct)
    {
        if (to <= from)
        {
            throw new InvalidPayloadException("--to must be later than --from.");
        }

        string? chain = null;
        if (tenantName is not null)
        {
            chain = (await store.FindTenantByNameAsync(tenantName, ct)
                ?? throw new NotFoundException($"There is no tenant named '{tenantName}'.")).Id;
        }

        await RecordAsync("audit.export", chain ?? "all", "success",
            JsonSerializer.Serialize(new Dictionary<string, object> { ["from"] = from, ["to"] = to }), ct);
        var after = 0L;
        while (true)
        {
            var page = await store.ReadAuditChainsAsync(
                new AuditChainRead { AfterSeq = after, Limit = ExportPage, Chain = chain, From = from, To = to }, ct);
            foreach (var entry in page)
            {
                yield return entry;
            }

            if (page.Count < ExportPage)
            {
                yield break;
            }

            after = page[^1].Entry.Sequence;
        }
    }

    private Task RecordAsync(string action, string? target, string outcome, string detail, CancellationToken ct) =>
        store.AppendAuditAsync(
            new AuditEntry
            {
                At = time.GetUtcNow(),
                Actor = "operator",
                Action = action,
                Target = target,
                Outcome = outcome,
                DetailJson = detail,
            },
            ct);
}
