using System.Text;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

/// <summary>
/// JOB-6 live output at the sandbox: a request's <see cref="IOutputSink"/> hears each stream's
/// chunks in order while the run goes on, decoded so a UTF-8 character split across two reads
/// arrives whole, and only what fits in the output cap (BOX-2). The chunks of a stream always
/// concatenate to the result's whole buffer. Real bubblewrap and the unconfined mode alike.
/// </summary>
public sealed class LiveOutputSinkTests : IDisposable
{
    private readonly TestSandbox _sandbox = new();
    private readonly string _unconfinedRoot = Path.Combine(Path.GetTempPath(), $"bulwark-live-unconfined-{Guid.NewGuid():N}");

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_unconfinedRoot))
        {
            Directory.Delete(_unconfinedRoot, recursive: true);
        }
    }

    [Fact] // JOB-6: chunks in order, while the run goes on; their concatenation is the result's output
    public async Task Sink_hears_chunks_in_order_while_the_job_runs_and_they_add_up_to_the_result()
    {
        var sink = new RecordingSink();
        // The job waits (bounded) for a file in its work dir that the test drops only once the sink
        // has the first line: the job saw it, so the line arrived while the job ran.
        var released = sink.WhenStdoutContains("first\n").ContinueWith(
            _ => File.WriteAllText(Path.Combine(Directory.GetDirectories(_sandbox.WorkRoot, "live-order-*").Single(), "go"), ""),
            TaskScheduler.Default);

        var result = await _sandbox.RunShellAsync(
            """
            echo first; echo oops >&2
            i=0; while [ ! -e /work/go ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
            [ -e /work/go ] && echo saw-go
            for n in 1 2 3; do echo "line $n"; sleep 0.05; done
            echo last >&2
            """,
            sink: sink,
            runId: "live-order");
        await released.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("first\nsaw-go\nline 1\nline 2\nline 3\n", result.Stdout);
        Assert.Equal("oops\nlast\n", result.Stderr);
        Assert.Equal(result.Stdout, sink.Text(OutputStream.Stdout));
        Assert.Equal(result.Stderr, sink.Text(OutputStream.Stderr));
        Assert.True(sink.Chunks(OutputStream.Stdout).Count >= 2, string.Join("|", sink.Chunks(OutputStream.Stdout)));
        Assert.Equal("first\n", sink.Chunks(OutputStream.Stdout)[0]);
    }

    [Fact] // JOB-6: a character split across two reads is decoded whole, never as two replacement characters
    public async Task Multibyte_character_split_across_reads_reaches_the_sink_intact()
    {
        var sink = new RecordingSink();

        // ✓ is E2 9C 93: its first two bytes, a pause (a read ends there), then the last one.
        var result = await _sandbox.RunShellAsync(@"printf 'go \342\234'; sleep 0.3; printf '\223 end\n'", sink: sink);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("go ✓ end\n", result.Stdout);
        Assert.Equal(result.Stdout, sink.Text(OutputStream.Stdout));
        Assert.All(sink.Chunks(OutputStream.Stdout), c => Assert.DoesNotContain('\uFFFD', c));
    }

    [Fact] // JOB-6, BOX-2: past output_kb the sink gets nothing more; a character cut at the cap is as in the result
    public async Task Sink_gets_no_more_than_the_output_cap_and_matches_the_cut_result()
    {
        var sink = new RecordingSink();

        // "a✓\n" is 5 bytes: 8192 = 5 × 1638 + 2, so the cap falls inside a ✓ (after its first byte).
        var result = await _sandbox.RunShellAsync("yes 'a✓'", TestSandbox.QuickLimits with { OutputKb = 8 }, sink: sink);

        Assert.Equal(SandboxTermination.OutputLimit, result.Termination);
        var streamed = sink.Text(OutputStream.Stdout);
        Assert.Equal(result.Stdout, streamed);
        // Exactly the cap went out: 1638 whole lines, "a", then the first byte of a ✓, which (never
        // completed) ends as one replacement character, as in the result.
        Assert.EndsWith("a\uFFFD", streamed, StringComparison.Ordinal);
        Assert.Equal((8 * 1024) - 1, Encoding.UTF8.GetByteCount(streamed[..^1]));
    }

    [Fact] // JOB-6, BOX-5: the unconfined mode passes its output on the same way
    public async Task Unconfined_sandbox_feeds_the_sink_too()
    {
        var sandbox = new UnconfinedSandbox(new BubblewrapOptions { WorkRoot = _unconfinedRoot });
        var sink = new RecordingSink();

        var result = await sandbox.RunAsync(
            new SandboxRequest
            {
                RunId = "live-dev",
                Command = ["/bin/sh", "-c", @"echo one; printf '\342\234'; sleep 0.3; printf '\223\n'; echo err >&2"],
                Environment = new Dictionary<string, string>(),
                Limits = TestSandbox.QuickLimits,
                OutputSink = sink,
            },
            CancellationToken.None);

        Assert.Equal(SandboxTermination.Exited, result.Termination);
        Assert.Equal("one\n✓\n", result.Stdout);
        Assert.Equal(result.Stdout, sink.Text(OutputStream.Stdout));
        Assert.Equal("err\n", sink.Text(OutputStream.Stderr));
    }

    [Fact] // JOB-6: no sink is today's behaviour, the whole output in the result
    public async Task Without_a_sink_the_result_holds_the_whole_output()
    {
        var result = await _sandbox.RunShellAsync("echo hello; echo oops >&2");

        Assert.Equal("hello\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
    }

    private sealed class RecordingSink : IOutputSink
    {
        private readonly Lock _gate = new();
        private readonly List<(OutputStream Stream, string Text)> _chunks = [];
        private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];

        public void Write(OutputStream stream, string text)
        {
            lock (_gate)
            {
                _chunks.Add((stream, text));
                var stdout = string.Concat(_chunks.Where(c => c.Stream == OutputStream.Stdout).Select(c => c.Text));
                foreach (var (wanted, seen) in _waits)
                {
                    if (stdout.Contains(wanted, StringComparison.Ordinal))
                    {
                        seen.TrySetResult();
                    }
                }
            }
        }

        public Task WhenStdoutContains(string text)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _waits.Add((text, seen));
            }

            return seen.Task;
        }

        public List<string> Chunks(OutputStream stream)
        {
            lock (_gate)
            {
                return [.. _chunks.Where(c => c.Stream == stream).Select(c => c.Text)];
            }
        }

        public string Text(OutputStream stream) => string.Concat(Chunks(stream));
    }
}
