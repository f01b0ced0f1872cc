using Bulwark.Client;

namespace Bulwark.Cli;

/// <summary>
/// Waits for a job to finish by polling it, starting at 200 ms and growing to 1 s so a quick
/// job answers quickly and a long one costs the server little. Kept alone so live log
/// following (SSE, JOB-6) can replace it without touching the submit command.
/// </summary>
internal sealed class JobWaiter(BulwarkClient client, TimeProvider time)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(1);

    public async Task<JobView> WaitForEndAsync(string jobId, CancellationToken ct)
    {
        var delay = FirstDelay;
        while (true)
        {
            var job = await client.GetJobAsync(jobId, ct);
            if (job.IsFinished)
            {
                return job;
            }

            await Task.Delay(delay, time, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 3 / 2, LongestDelay.Ticks));
        }
    }
}
