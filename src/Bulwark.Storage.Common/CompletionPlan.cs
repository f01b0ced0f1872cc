using Bulwark.Core.Jobs;

namespace Bulwark.Storage.Common;

/// <summary>What a completion writes to its job: the state it ends in, and the times that go with it.</summary>
public readonly record struct CompletionPlan(JobState State, long? FinishedAt, long? RetryAt)
{
    /// <summary>The state as the stores write it.</summary>
    public string StateName => State.ToName();

    /// <summary>The state the worker asks for; a fenced job is running, so the transition is from Running. Checked before any write.</summary>
    public static JobState Requested(Completion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return JobStateMachine.Transition(JobState.Running, completion.NextState);
    }

    /// <summary>The plan for a <paramref name="requested"/> state, given the job's cancel flag as the fence read it.</summary>
    public static CompletionPlan Decide(JobState requested, bool cancelRequested, Completion completion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(completion);

        // A user cancelled while the attempt ran and the attempt then failed retryably: honour the
        // cancel. A retrying job with cancel_requested set would never be claimed again, nor
        // reaped, and would wait forever.
        var next = requested == JobState.Retrying && cancelRequested
            ? JobStateMachine.Transition(JobState.Running, JobState.Cancelled)
            : requested;
        return new CompletionPlan(
            next,
            JobStateMachine.IsTerminal(next) ? UnixMs.From(now) : null,
            next == JobState.Retrying ? UnixMs.From(completion.RetryAt ?? now) : null);
    }
}
