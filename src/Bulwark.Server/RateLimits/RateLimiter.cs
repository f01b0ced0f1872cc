using System.Text.Json;
using Bulwark.Core.RateLimits;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Bulwark.Server.Hosting;
using Bulwark.Server.Metrics;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.RateLimits;

/// <summary>
/// NET-3: the one call every limited route makes, first, before it does anything:
/// <c>await limiter.AcquireAsync(http, caller, RateBucket.Jobs, ct)</c>. The identity is the
/// authenticated (tenant id, subject), never an address or a header the client chose. The count
/// lives in the store, so every node sharing it enforces one limit. A refusal is audited
/// (<c>rate_limit.refused</c>, a security event of AUD-1/AUD-4) and thrown as
/// <see cref="RateLimitedException"/>, which the problem mapping answers with 429 and <c>Retry-After</c>.
/// </summary>
internal sealed class RateLimiter(IRateLimitStore store, BulwarkOptions options, AuditTrail audit, TimeProvider time, BulwarkMetrics metrics)
{
    public const string RefusedAction = "rate_limit.refused";

    public Task AcquireAsync(HttpContext http, Principal caller, RateBucket bucket, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return AcquireAsync(http, caller.Tenant, caller.Subject, bucket, ct);
    }

    /// <summary>For callers that are not a <see cref="Principal"/> (a run's capability token): its tenant and a stable subject.</summary>
    public async Task AcquireAsync(HttpContext http, TenantScope tenant, string subject, RateBucket bucket, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(bucket);
        var (limit, window) = RateLimitSettings.Budget(options, bucket);
        var take = new RateWindowTake(subject, bucket.Name, time.GetUtcNow(), window, limit);
        var state = await store.TakeAsync(tenant, take, ct);
        if (state.Admitted)
        {
            return;
        }

        var retryAfter = RateWindows.RetryAfter(take, state);
        var refusal = new RateLimitedException(bucket, retryAfter);
        // OPS-2: counted per bucket on /metrics; the identity stays in the audit entry only.
        metrics.RateLimitRefused(bucket.Name);
        // One entry per refusal and nothing else written: a flood costs one append per request, as
        // the admitted requests it replaces would have.
        await audit.RecordAsync(
            audit.Entry(http, tenant.TenantId, subject, RefusedAction, bucket.Name, "denied",
                JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["reason"] = "rate_limited",
                    ["limit"] = limit,
                    ["window_seconds"] = (long)window.TotalSeconds,
                    ["retry_after_seconds"] = refusal.RetryAfterSeconds,
                    ["path"] = http.Request.Path.Value,
                })),
            ct);
        throw refusal;
    }
}
