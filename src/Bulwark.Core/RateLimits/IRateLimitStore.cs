using Bulwark.Core.Tenancy;

namespace Bulwark.Core.RateLimits;

/// <summary>
/// The counts of NET-3, kept in the store so every node sharing it enforces one limit. Each call
/// is one atomic statement: it rolls the identity's window forward, decides, counts the request
/// only when admitted, and returns the counts. One row per (tenant, subject, bucket): nothing grows
/// with traffic, so nothing needs sweeping.
/// </summary>
public interface IRateLimitStore
{
    Task<RateWindowState> TakeAsync(TenantScope tenant, RateWindowTake take, CancellationToken ct);
}
