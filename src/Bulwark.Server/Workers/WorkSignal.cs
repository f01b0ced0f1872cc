namespace Bulwark.Server.Workers;

/// <summary>
/// Wakes idle workers when there may be work (a submission, a freed slot, a reaped lease),
/// so a new job starts at once instead of at the next poll. A waiter takes <see cref="Current"/>
/// BEFORE looking for work, so a notification that lands in between is never lost.
/// </summary>
internal sealed class WorkSignal
{
    private TaskCompletionSource _next = New();

    public Task Current => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
