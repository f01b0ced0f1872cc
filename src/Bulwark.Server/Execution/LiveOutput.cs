using System.Text;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Redaction;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Storage;
using Bulwark.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Execution;

/// <summary>
/// Starts the live output of script runs on a node that has the store (the server's own workers):
/// what a run writes to stdout and stderr reaches its logs while it runs (JOB-6), redacted first
/// (SEC-4). A remote <c>bulwark worker</c> has no store and no log channel, so it has none of this.
/// </summary>
internal sealed class LiveLogs(IBulwarkStore store, TimeProvider time, ILogger<LiveLogs> logger)
{
    /// <summary>At most this often one store write per stream: never one per chunk.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    public LiveOutput Start(Lease lease, Redactor redactor) => new(store, time, logger, lease, redactor);
}

/// <summary>
/// One run's live output: the sandbox's chunks go through one <see cref="StreamingRedactor"/> per
/// stream (a secret split across chunks is still caught, SEC-4), the redacted text waits in a
/// buffer, and a flusher appends it to the attempt's logs under the lease's fence (JOB-3) every
/// <see cref="LiveLogs.FlushInterval"/>, whole lines at a time. <see cref="CompleteAsync"/>
/// returns what was not yet stored (the last lines and the redactors' held-back tail), which goes
/// into the attempt's result: the entries of a stream concatenate to exactly what the one entry of
/// the whole-buffer path held, and nothing is stored twice.
/// </summary>
internal sealed class LiveOutput : IOutputSink, IAsyncDisposable
{
    private readonly IBulwarkStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lease _lease;
    private readonly Lock _gate = new();
    private readonly Pending _stdout;
    private readonly Pending _stderr;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flusher;
    private bool _leaseLost;

    internal LiveOutput(IBulwarkStore store, TimeProvider time, ILogger logger, Lease lease, Redactor redactor)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _lease = lease;
        _stdout = new Pending("stdout", redactor.Stream());
        _stderr = new Pending("stderr", redactor.Stream());
        _flusher = FlushLoopAsync(_stop.Token);
    }

    /// <summary>From the sandbox's readers: redacts at once, so raw output is never kept here.</summary>
    public void Write(OutputStream stream, string text)
    {
        var pending = stream == OutputStream.Stdout ? _stdout : _stderr;
        lock (_gate)
        {
            pending.Redactor.Write(text, pending.Text);
        }
    }

    /// <summary>
    /// The run ended: stops the flusher and returns everything not yet stored, for the
    /// attempt's result. <paramref name="truncated"/>: the output was cut at <c>output_kb</c>, so a
    /// tail that starts a secret value goes as well, exactly as <see cref="Redactor.RedactTruncated"/>.
    /// </summary>
    public async Task<(string Stdout, string Stderr)> CompleteAsync(bool truncated)
    {
        // The rest goes into the completion's own transaction, with the final state: a follower
        // that sees the job ended has every line, and no extra write is spent on the last lines.
        await StopAsync();
        lock (_gate)
        {
            _stdout.Redactor.Complete(_stdout.Text, truncated);
            _stderr.Redactor.Complete(_stderr.Text, truncated);
            return (_stdout.Take(), _stderr.Take());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _flusher;
    }

    private async Task FlushLoopAsync(CancellationToken stop)
    {
        try
        {
            while (!_leaseLost)
            {
                // Real time, not the server's clock: this only paces the writes.
                await Task.Delay(LiveLogs.FlushInterval, stop);
                await FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended; CompleteAsync writes the rest.
        }
    }

    private async Task FlushAsync()
    {
        foreach (var pending in new[] { _stdout, _stderr })
        {
            if (_leaseLost)
            {
                return;
            }

            string text;
            lock (_gate)
            {
                text = pending.TakeLines();
            }

            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                // Not the run's token: what a cancelled run wrote is still stored, as its completion is.
                await _store.AppendLogAsync(_lease, pending.Name, text, _time.GetUtcNow(), CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not stored: it goes back in front, for the next write or the attempt's result.
                lock (_gate)
                {
                    pending.Text.Insert(0, text);
                }

                if (e is ConflictException { Code: "lease_lost" })
                {
                    // JOB-3: the job is someone else's now; stop writing. The runner sees the lost
                    // lease itself and discards the result, as on the whole-buffer path.
                    _leaseLost = true;
                    return;
                }

                Log.LiveOutputFailed(_logger, _lease.JobId, _lease.Attempt, e);
            }
        }
    }

    private sealed class Pending(string name, StreamingRedactor redactor)
    {
        private const int LongLine = 8 * 1024;

        public string Name { get; } = name;

        public StreamingRedactor Redactor { get; } = redactor;

        /// <summary>Redacted, not yet stored.</summary>
        public StringBuilder Text { get; } = new();

        /// <summary>
        /// What is ready to store: through the last line break, so a line is not cut between two
        /// entries (the text view heads every entry); a line longer than <see cref="LongLine"/>
        /// (progress output) goes as it is.
        /// </summary>
        public string TakeLines()
        {
            var end = Text.Length;
            while (end > 0 && Text[end - 1] != '\n')
            {
                end--;
            }

            if (Text.Length - end >= LongLine)
            {
                end = Text.Length;
            }

            var text = Text.ToString(0, end);
            Text.Remove(0, end);
            return text;
        }

        public string Take()
        {
            var text = Text.ToString();
            Text.Clear();
            return text;
        }
    }
}
