using Bulwark.Client;

namespace Bulwark.Cli;

/// <summary>
/// <c>submit --wait</c>: prints a job's log lines as the server streams them (JOB-6), each
/// attempt's stream under the same header line as <c>GET /v1/jobs/{id}/logs</c>, and returns the
/// job as it ended.
/// </summary>
internal sealed class JobLogFollower(BulwarkClient client, TextWriter output)
{
    public async Task<JobView> FollowAsync(string jobId, CancellationToken ct)
    {
        (int Attempt, string Stream)? section = null;
        var endsInNewline = true;
        await foreach (var line in client.FollowLogsAsync(jobId, ct: ct))
        {
            if (section != (line.Attempt, line.Stream))
            {
                if (!endsInNewline)
                {
                    await output.WriteLineAsync();
                }

                section = (line.Attempt, line.Stream);
                await output.WriteLineAsync($"--- attempt {line.Attempt} {line.Stream} ---");
            }

            await output.WriteAsync(line.Text);
            await output.FlushAsync(ct);
            endsInNewline = line.Text.Length == 0 ? endsInNewline : line.Text.EndsWith('\n');
        }

        if (!endsInNewline)
        {
            await output.WriteLineAsync();
        }

        // The stream ends with the job; its state and error are read once, after it.
        return await client.GetJobAsync(jobId, ct);
    }
}
