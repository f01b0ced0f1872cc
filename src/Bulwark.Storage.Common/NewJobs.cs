using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Common;

/// <summary>The checks and the first state of an enqueued job, the same in both stores.</summary>
public static class NewJobs
{
    /// <summary>TEN-1: a tenant may run its own templates and global ones, never another tenant's.</summary>
    public static void RequireVisibleTemplate(TenantScope scope, NewJob job)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(job);
        if (job.Template.TenantId is { } owner && !string.Equals(owner, scope.TenantId, StringComparison.Ordinal))
        {
            throw new NotFoundException($"There is no template '{job.Template.Key}'.");
        }
    }

    /// <summary>A job due later than it was made waits as scheduled; otherwise it is queued at once.</summary>
    public static JobState InitialState(long runAtMs, long createdAtMs) =>
        runAtMs > createdAtMs ? JobState.Scheduled : JobState.Queued;
}
