using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;

namespace Bulwark.Server.Metrics;

/// <summary>
/// OPS-2: every instrument of the server, on one <c>Bulwark</c> meter made by this server's
/// <see cref="IMeterFactory"/> (so each server in a process counts only its own work), scraped
/// as Prometheus text at <c>GET /metrics</c>. Labels are small closed sets (bucket, reason code,
/// template kind, outcome, error code, job state): never a tenant, a key id, a subject or a job,
/// so a shared scrape tells no tenant about another's activity (TEN-1) and cardinality stays fixed.
/// </summary>
internal sealed class BulwarkMetrics
{
    public const string MeterName = "Bulwark";

    // Seconds, from a trivial script to the longest timeouts; OpenTelemetry's default buckets are for milliseconds.
    private static readonly double[] DurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Counter<long> _rateLimitRefusals;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _jobRuns;
    private readonly Counter<long> _jobFailures;
    private readonly Histogram<double> _runDuration;
    private QueueDepth? _depth;

    public BulwarkMetrics(IMeterFactory meters, OwnMeter own)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(own);
        var meter = meters.Create(MeterName);
        // Before any instrument exists: the exporter's view asks as each one is published.
        own.Meter = meter;
        _rateLimitRefusals = meter.CreateCounter<long>(
            "bulwark.rate_limit.refusals", "{refusal}", "Requests refused by a rate limit (NET-3), per bucket.");
        _authFailures = meter.CreateCounter<long>(
            "bulwark.auth.failures", "{failure}", "Credentials the user API refused (401), per reason code.");
        _jobRuns = meter.CreateCounter<long>(
            "bulwark.job.runs", "{run}", "Attempts this node ran to their end, per template kind and outcome.");
        _jobFailures = meter.CreateCounter<long>(
            "bulwark.job.failures", "{failure}", "Attempts that failed (retryable or not), per template kind and error code.");
        _runDuration = meter.CreateHistogram(
            "bulwark.job.run.duration",
            "s",
            "How long attempts ran on this node, per template kind and outcome.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableGauge(
            "bulwark.queue.depth",
            ObserveDepth,
            "{job}",
            "Jobs of every tenant per state, as of the last sample (BULWARK_METRICS_SAMPLE_SECONDS).");
    }

    /// <summary>The outcome label of an attempt's result.</summary>
    public static string OutcomeOf(AttemptResultKind kind) => kind switch
    {
        AttemptResultKind.Succeeded => "succeeded",
        AttemptResultKind.RetryableFailure => "retryable_failure",
        AttemptResultKind.PermanentFailure => "permanent_failure",
        AttemptResultKind.Cancelled => "cancelled",
        _ => "unknown",
    };

    public void RateLimitRefused(string bucket) =>
        _rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("bucket", bucket));

    /// <param name="reason">One of the authenticators' fixed reason codes (<c>unknown_api_key</c>, <c>no_credential</c>…).</param>
    public void AuthFailed(string reason) =>
        _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>
    /// An attempt ended on this node. <paramref name="lost"/>: its result was not written (the
    /// lease was lost or the node stopped), whatever the executor said.
    /// </summary>
    public void RunEnded(TemplateKind kind, AttemptResult result, bool lost, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(result);
        var kindName = kind == TemplateKind.Http ? "http" : "script";
        var outcome = lost ? "lease_lost" : OutcomeOf(result.Kind);
        var tags = new TagList { { "kind", kindName }, { "outcome", outcome } };
        _jobRuns.Add(1, tags);
        _runDuration.Record(elapsed.TotalSeconds, tags);
        if (!lost && result.Kind is AttemptResultKind.RetryableFailure or AttemptResultKind.PermanentFailure)
        {
            _jobFailures.Add(1, new TagList { { "kind", kindName }, { "error_code", result.ErrorCode ?? "unknown" } });
        }
    }

    /// <summary>The sampler's latest count; the gauge reports it until the next one.</summary>
    public void QueueSampled(QueueDepth depth) => Volatile.Write(ref _depth, depth);

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        // No I/O in a gauge callback: a scrape reports what the sampler last read.
        if (Volatile.Read(ref _depth) is not { } depth)
        {
            return [];
        }

        return QueueDepth.States.Select(s => new Measurement<long>(depth.Of(s), new KeyValuePair<string, object?>("state", s.ToName()))).ToArray();
    }
}

/// <summary>
/// This server's <c>Bulwark</c> meter, for the exporter's view: OpenTelemetry subscribes to meters
/// by name in the whole process, so without it a scrape would add up every server of the process.
/// </summary>
internal sealed class OwnMeter
{
    private Meter? _meter;

    public Meter? Meter
    {
        get => Volatile.Read(ref _meter);
        set => Volatile.Write(ref _meter, value);
    }

    /// <summary>True for this server's instruments and for any meter not named <c>Bulwark</c>.</summary>
    public bool Owns(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return instrument.Meter.Name != BulwarkMetrics.MeterName || ReferenceEquals(instrument.Meter, Meter);
    }
}
