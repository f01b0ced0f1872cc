using System.Diagnostics;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Secrets;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Audit;

/// <summary>Builds audit entries (AUD-1) with the request's ids and appends them; security events also go to the log (AUD-4).</summary>
internal sealed class AuditTrail(IBulwarkStore store, TimeProvider time, SecurityEventLog securityEvents, ServerRedactor redactor)
{
    public AuditEntry Entry(
        HttpContext? http,
        string? tenantId,
        string actor,
        string action,
        string? target,
        string outcome,
        string? detailJson = null,
        bool dryRun = false) =>
        new()
        {
            At = time.GetUtcNow(),
            TenantId = tenantId,
            Actor = actor,
            Action = action,
            // SEC-4: a target or detail can quote what a caller sent; a credential or a server secret in it is not kept.
            Target = redactor.Redact(target),
            Outcome = outcome,
            RequestId = http?.TraceIdentifier,
            TraceId = Activity.Current?.TraceId.ToString(),
            LatencyMs = http?.Features.Get<RequestStart>() is { } start
                ? (long)time.GetElapsedTime(start.Timestamp).TotalMilliseconds
                : null,
            DryRun = dryRun,
            DetailJson = detailJson is null ? null : JsonRedaction.Redact(redactor.Redactor, detailJson),
        };

    public async Task RecordAsync(AuditEntry entry, CancellationToken ct)
    {
        await store.AppendAuditAsync(entry, ct);
        securityEvents.Write(entry);
    }

    /// <summary>
    /// The one shape of a refused credential, in every context (AUD-1): who, what, from where and
    /// why, with any facts the context adds. The client only ever sees the same bare 401.
    /// </summary>
    public Task RecordRefusalAsync(
        HttpContext http,
        string action,
        string? tenantId,
        string actor,
        string reason,
        string remote,
        CancellationToken ct,
        params (string Key, string? Value)[] extra)
    {
        var detail = new Dictionary<string, string?>
        {
            ["reason"] = reason,
            ["remote"] = remote,
            ["path"] = http.Request.Path.Value,
        };
        foreach (var (key, value) in extra)
        {
            detail[key] = value;
        }

        return RecordAsync(
            Entry(http, tenantId, actor, action, http.Request.Path.Value, "denied", JsonSerializer.Serialize(detail)), ct);
    }
}

/// <summary>When the request began, so audit entries carry their latency.</summary>
internal sealed record RequestStart(long Timestamp);
