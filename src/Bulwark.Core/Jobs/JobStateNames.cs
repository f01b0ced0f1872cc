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
        // A switch, not a loop over Enum.GetValues: every stored row is parsed through here.
        (var known, state) = name switch
        {
            "scheduled" => (true, JobState.Scheduled),
            "queued" => (true, JobState.Queued),
            "running" => (true, JobState.Running),
            "retrying" => (true, JobState.Retrying),
            "succeeded" => (true, JobState.Succeeded),
            "failed" => (true, JobState.Failed),
            "cancelled" => (true, JobState.Cancelled),
            "dead" => (true, JobState.Dead),
            _ => (false, default),
        };
        return known;
    }

    public static JobState Parse(string name) =>
        TryParse(name, out var state) ? state : throw new FormatException($"Unknown job state '{name}'.");
}
