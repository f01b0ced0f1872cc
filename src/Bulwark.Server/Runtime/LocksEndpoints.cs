using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Fences;
using Bulwark.Core.Storage;
using Bulwark.Core.Validation;
using Bulwark.Server.Audit;
using Bulwark.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Runtime;

/// <summary>
/// Named locks and write fences on the runtime API (AUTHZ-6, seed 003). A job takes a lock of its
/// tenant for a while and gets a fencing number; writes carrying <c>X-Bulwark-Fence</c> are applied
/// only while that number is current, so a job that stalled past its lock's expiry and was taken
/// over cannot overwrite its successor's work. Every refused fenced write is a security event (AUD-1).
/// </summary>
internal static class LocksEndpoints
{
    public const string FenceViolationAction = "runtime.fence.violation";

    /// <summary>Maps onto the runtime group, behind its capability-token filter.</summary>
    public static void MapLocks(this RouteGroupBuilder runtime)
    {
        // {ttl_seconds} → {name, fence, expires_at}; held by another live job → 409 lock_held.
        runtime.MapPost("/locks/{name}", async (HttpContext http, string name, IBulwarkStore store, TimeProvider time) =>
        {
            Locks.RequireName(name);
            int? ttl;
            using (var body = await JsonBody.ReadAsync(http.Request, JsonPayload.DefaultMaxDepth, http.RequestAborted))
            {
                JsonBody.RequireOnly(body.RootElement, "ttl_seconds");
                ttl = JsonBody.OptionalInt(body.RootElement, "ttl_seconds");
            }

            var grant = await store.AcquireLockAsync(
                RuntimeCaller.Of(http).Run.Lease, name, Locks.RequireTtl(ttl), time.GetUtcNow(), http.RequestAborted);
            return TypedResults.Ok(new LocksView(grant.Name, grant.Fence, grant.ExpiresAt));
        });

        // Owner only: a job that does not hold the lock gets 409 lock_not_held.
        runtime.MapDelete("/locks/{name}", async (HttpContext http, string name, IBulwarkStore store, TimeProvider time) =>
        {
            Locks.RequireName(name);
            if (!await store.ReleaseLockAsync(RuntimeCaller.Of(http).Run.Lease, name, time.GetUtcNow(), http.RequestAborted))
            {
                throw Locks.NotHeld(name);
            }

            return TypedResults.NoContent();
        });
    }

    /// <summary>The write's fence from <c>X-Bulwark-Fence</c>; null when absent; 400 <c>invalid_fence</c> when malformed.</summary>
    public static WriteFence? FenceOf(HttpContext http)
    {
        var header = http.Request.Headers[WriteFence.Header];
        return header.Count switch
        {
            0 => null,
            1 => WriteFence.Parse(header[0]),
            _ => throw new InvalidPayloadException($"Send one {WriteFence.Header} header.", "invalid_fence"),
        };
    }

    /// <summary>The variable write under <paramref name="fence"/>; a refusal is audited and rethrown (409).</summary>
    public static async Task PutFencedVariableAsync(HttpContext http, WriteFence fence, string name, string value)
    {
        var services = http.RequestServices;
        var caller = RuntimeCaller.Of(http);
        try
        {
            await services.GetRequiredService<IBulwarkStore>().PutFencedVariableAsync(
                caller.Run.Lease, fence, name, value, services.GetRequiredService<TimeProvider>().GetUtcNow(), http.RequestAborted);
        }
        catch (ConflictException e) when (e.Code is "fence_stale" or "fence_not_held")
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocksEndpoints));
            LocksLog.FenceViolation(logger, e.Code, fence.ToString(), caller.Claims.JobId, caller.Claims.TenantId);
            var audit = services.GetRequiredService<AuditTrail>();
            var detail = JsonSerializer.Serialize(new Dictionary<string, string?>
            {
                ["reason"] = e.Code,
                ["fence"] = fence.ToString(),
                ["variable"] = name,
                ["attempt"] = caller.Claims.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            // CancellationToken.None: the refusal is recorded even when the job hangs up at once.
            await audit.RecordAsync(
                audit.Entry(http, caller.Claims.TenantId, $"task:{caller.Claims.JobId}", FenceViolationAction,
                    $"lock:{fence.Lock}", "denied", detail),
                CancellationToken.None);
            throw;
        }
    }
}
