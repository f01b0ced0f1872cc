using Bulwark.Core.Errors;

namespace Bulwark.Core.Jobs;

/// <summary>A state change the lifecycle does not allow (JOB-2): never a silent overwrite.</summary>
public sealed class IllegalTransitionException(JobState from, JobState to)
    : ConflictException($"A job cannot go from '{from.ToName()}' to '{to.ToName()}'.", "illegal_transition")
{
    public JobState From { get; } = from;
    public JobState To { get; } = to;
}
