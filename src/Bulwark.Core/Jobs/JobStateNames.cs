namespace Bulwark.Core.Jobs;

/// <summary>The one mapping between <see cref="JobState"/> and its stored/wire name.</summary>
public static class JobStateNames
{
    public static string ToName(this JobState state) => state switch
    {
        JobState.Scheduled => "scheduled",
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Retrying => "retrying",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        JobState.Dead => "dead",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string? name, out JobState state)
    {
        foreach (var candidate in Enum.GetValues<JobState>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.Ordinal))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    public static JobState Parse(string name) =>
        TryParse(name, out var state) ? state : throw new FormatException($"Unknown job state '{name}'.");
}
