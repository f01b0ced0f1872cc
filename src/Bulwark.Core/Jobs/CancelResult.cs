namespace Bulwark.Core.Jobs;

/// <summary>
/// The job after a cancel request: a job that was not running is already <c>cancelled</c>;
/// a running one has <see cref="Job.CancelRequested"/> set and its worker kills it.
/// </summary>
public sealed record CancelResult(Job Job, bool WasRunning);
