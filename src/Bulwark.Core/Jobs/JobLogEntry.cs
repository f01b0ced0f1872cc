namespace Bulwark.Core.Jobs;

/// <summary>Captured output of one attempt (JOB-6).</summary>
public sealed record JobLogEntry(int Attempt, string Stream, string Text, DateTimeOffset At);
