using System.Collections.Frozen;

namespace Bulwark.Core.Jobs;

/// <summary>
/// The single table of legal job transitions (JOB-2). Every store and worker change of state
/// goes through <see cref="Transition"/>, so an illegal change is an error in one place.
/// </summary>
public static class JobStateMachine
{
    private static readonly FrozenDictionary<JobState, JobState[]> Allowed = new Dictionary<JobState, JobState[]>
    {
        // Delayed (run_at in the future): becomes claimable when due, or is cancelled.
        [JobState.Scheduled] = [JobState.Queued, JobState.Running, JobState.Cancelled],
        [JobState.Queued] = [JobState.Running, JobState.Cancelled],
        // Running ends in an outcome, or goes back to the queue when its lease expired (reaper).
        [JobState.Running] =
        [
            JobState.Succeeded, JobState.Failed, JobState.Retrying, JobState.Dead, JobState.Cancelled, JobState.Queued,
        ],
        // Waiting out its backoff: claimable again when due.
        [JobState.Retrying] = [JobState.Queued, JobState.Running, JobState.Cancelled],
        [JobState.Succeeded] = [],
        [JobState.Failed] = [],
        [JobState.Cancelled] = [],
        [JobState.Dead] = [],
    }.ToFrozenDictionary();

    public static bool CanTransition(JobState from, JobState to) => Array.IndexOf(Allowed[from], to) >= 0;

    /// <summary>Returns <paramref name="to"/> when the change is legal, else throws.</summary>
    public static JobState Transition(JobState from, JobState to) =>
        CanTransition(from, to) ? to : throw new IllegalTransitionException(from, to);

    public static bool IsTerminal(JobState state) => Allowed[state].Length == 0;

    /// <summary>States a worker may claim from once <c>run_at</c> is due.</summary>
    public static bool IsClaimable(JobState state) =>
        state is JobState.Queued or JobState.Scheduled or JobState.Retrying;
}
