namespace Bulwark.Client;

/// <summary>One stored log entry of a followed job (JOB-6): <see cref="Id"/> is what a resume passes as Last-Event-ID.</summary>
/// <param name="Stream"><c>stdout</c>, <c>stderr</c> or <c>runtime</c>.</param>
public sealed record JobLogLine(long Id, int Attempt, string Stream, string Text, DateTimeOffset At);
