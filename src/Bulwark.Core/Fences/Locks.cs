using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Fences;

/// <summary>
/// The rules of named locks and write fences (AUTHZ-6, seed 003), in one place every store and
/// the runtime API call. A lock belongs to its tenant; its owner is the job that took it; its
/// fence only ever grows, by one at every change of hands, so a number once superseded can never
/// be valid again. Rows are never deleted on release for the same reason.
/// </summary>
public static class Locks
{
    public const int MinTtlSeconds = 1;
    public const int MaxTtlSeconds = 3600;

    public static bool IsValidName(string? name) => Identifiers.IsValid(name);

    public static string RequireName(string? name) => Identifiers.Require(name, "lock name");

    public static TimeSpan RequireTtl(int? seconds) => seconds is >= MinTtlSeconds and <= MaxTtlSeconds
        ? TimeSpan.FromSeconds(seconds.Value)
        : throw new InvalidPayloadException(
            $"The field 'ttl_seconds' is required and must be between {MinTtlSeconds} and {MaxTtlSeconds}.");

    /// <summary>Another job holds the lock and its hold has not lapsed.</summary>
    public static ConflictException Held(string name) =>
        new($"The lock '{name}' is held by another job; try again after it expires or is released.", "lock_held");

    /// <summary>Release by a job that does not hold the lock.</summary>
    public static ConflictException NotHeld(string name) =>
        new($"The lock '{name}' is not held by this job.", "lock_not_held");

    /// <summary>The fence presented was superseded: the lock changed hands since it was issued.</summary>
    public static ConflictException Stale(WriteFence fence) =>
        new($"The fence {fence} is stale: the lock was taken over; the write was refused.", "fence_stale");

    /// <summary>The fence names no lock this job holds at that number (never issued, released, or another job's).</summary>
    public static ConflictException NotHeldFence(WriteFence fence) =>
        new($"The fence {fence} is not held by this job; the write was refused.", "fence_not_held");

    /// <summary>The check every store runs inside the fenced write's transaction.</summary>
    /// <param name="currentFence">The lock's fence now; null when the tenant has no such lock.</param>
    /// <param name="currentOwner">The job holding it now; null after a release.</param>
    public static void CheckFence(WriteFence fence, string writerJobId, long? currentFence, string? currentOwner)
    {
        if (currentFence is { } current && fence.Number < current)
        {
            throw Stale(fence);
        }

        if (currentFence != fence.Number || !string.Equals(currentOwner, writerJobId, StringComparison.Ordinal))
        {
            throw NotHeldFence(fence);
        }
    }
}
