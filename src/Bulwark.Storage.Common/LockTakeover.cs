using Bulwark.Core.Fences;

namespace Bulwark.Storage.Common;

/// <summary>Whether a job may take a named lock that already has a row, and what that does to its fence (AUTHZ-6).</summary>
public static class LockTakeover
{
    /// <summary>
    /// How much taking the lock moves its fence; throws <see cref="Locks.Held(string)"/> when
    /// another owner's hold is still live at <paramref name="nowMs"/>.
    /// </summary>
    public static int FenceBump(string name, string? owner, long expiresAt, string jobId, long nowMs)
    {
        var live = owner is not null && expiresAt >= nowMs;
        var mine = string.Equals(owner, jobId, StringComparison.Ordinal);
        if (live && !mine)
        {
            throw Locks.Held(name);
        }

        // Renewing a live hold keeps its fence; any change of hands (or a lapsed or released hold
        // taken again) moves it on, so every earlier number is stale.
        return live && mine ? 0 : 1;
    }
}
