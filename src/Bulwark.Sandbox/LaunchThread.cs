using System.Collections.Concurrent;
using System.Diagnostics;

namespace Bulwark.Sandbox;

/// <summary>
/// Starts every run's process from one dedicated thread that lives as long as the server.
/// <para>
/// bwrap's <c>--die-with-parent</c> is PR_SET_PDEATHSIG, and Linux sends that signal when the
/// parent <em>thread</em> that forked the process exits, not when the parent process does. .NET
/// forks on the calling thread, and pool threads retire when idle: a job started from one of them
/// would be SIGKILLed at a random moment. Started from this thread, which never exits, the signal
/// fires only when the server itself dies — exactly when every job must die with it (BOX-4),
/// with no intermediate process (and no extra exec per run) to make that safe.
/// </para>
/// </summary>
internal static class LaunchThread
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = new();

    static LaunchThread()
    {
        var thread = new Thread(Serve) { IsBackground = true, Name = "bulwark-sandbox-launch" };
        thread.Start();
    }

    /// <summary>Starts <paramref name="process"/> on the launch thread; completes once it is started (or failed to).</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void Serve()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
