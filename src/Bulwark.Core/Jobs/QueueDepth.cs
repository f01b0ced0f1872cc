namespace Bulwark.Core.Jobs;

/// <summary>
/// How many jobs of every tenant wait or run, per state (OPS-2). Totals only: no tenant, no job,
/// nothing one tenant could learn about another's work from a shared metrics scrape (TEN-1).
/// </summary>
public sealed record QueueDepth(long Queued, long Scheduled, long Retrying, long Running)
{
    /// <summary>The states counted, by their names in the store and in the <c>state</c> label.</summary>
    public static IReadOnlyList<JobState> States { get; } = [JobState.Queued, JobState.Scheduled, JobState.Retrying, JobState.Running];

    /// <summary>From the store's (state name, count) rows; a state without rows counts 0.</summary>
    public static QueueDepth From(IEnumerable<(string State, long Count)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        long queued = 0, scheduled = 0, retrying = 0, running = 0;
        foreach (var (state, count) in rows)
        {
            switch (JobStateNames.Parse(state))
            {
                case JobState.Queued: queued = count; break;
                case JobState.Scheduled: scheduled = count; break;
                case JobState.Retrying: retrying = count; break;
                case JobState.Running: running = count; break;
            }
        }

        return new QueueDepth(queued, scheduled, retrying, running);
    }

    public long Of(JobState state) => state switch
    {
        JobState.Queued => Queued,
        JobState.Scheduled => Scheduled,
        JobState.Retrying => Retrying,
        JobState.Running => Running,
        _ => 0,
    };
}
