using System.Text;
using System.Text.Json;
using Bulwark.Core.Flags;
using Bulwark.Core.Jobs;
using Bulwark.Core.Manifests;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Manifests;

/// <summary>
/// JOB-11: when a run ends its job (succeeded, failed, dead, or cancelled while running) and the
/// tenant has <c>manifests</c> on, writes the run's manifest — and, with <c>replay_bundles</c> on, its
/// replay bundle — then audits <c>manifest.create</c> (AUD-1). Everything is read back from the
/// store after the completion committed, so the hashes are of what the API serves (redacted,
/// SEC-4). A failure here is logged and never changes the job's outcome, which is already written.
/// A job the reaper ends (lease expired) has no run that reported, and gets no manifest.
/// </summary>
internal sealed partial class ManifestRecorder(
    IBulwarkStore store,
    IManifestStore manifests,
    IFeatureFlags flags,
    AuditTrail audit,
    TimeProvider time,
    ILogger<ManifestRecorder> log)
{
    public const string Actor = "system";

    /// <summary>Never throws (but for cancellation): a manifest is a record of the run, not part of it.</summary>
    public async Task RecordAsync(ClaimedJob claimed, AttemptResult result, JobState next, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(result);
        if (next is not (JobState.Succeeded or JobState.Failed or JobState.Dead or JobState.Cancelled)
            || !flags.IsOn(FeatureFlags.Manifests, claimed.Job.TenantId))
        {
            return;
        }

        try
        {
            await WriteAsync(claimed, result, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(log, claimed.Lease.JobId, e.GetType().Name);
        }
    }

    private async Task WriteAsync(ClaimedJob claimed, AttemptResult result, CancellationToken ct)
    {
        var jobId = claimed.Lease.JobId;
        var tenant = await store.FindTenantByIdAsync(claimed.Job.TenantId, ct)
            ?? throw new InvalidOperationException("The job's tenant is gone.");
        var scope = TenantScope.Of(tenant);
        var job = await store.GetJobAsync(scope, jobId, ct) ?? throw new InvalidOperationException("The job is gone.");
        var logs = await store.GetLogsAsync(scope, jobId, ct) ?? [];
        var attempt = await manifests.FindAttemptAsync(scope, jobId, claimed.Lease.Attempt, ct);

        var now = time.GetUtcNow();
        var definitionJson = TemplateFile.ToJson(claimed.Template.Definition);
        var startedAt = attempt?.StartedAt ?? job.StartedAt ?? now;
        var finishedAt = attempt?.FinishedAt ?? job.FinishedAt ?? now;
        var manifest = new RunManifest
        {
            JobId = jobId,
            Tenant = tenant.Id,
            Template = new ManifestTemplate(claimed.Template.Key, claimed.Template.Version, CanonicalJson.Sha256(definitionJson)),
            InputsSha256 = CanonicalJson.Sha256(job.InputsJson),
            Outputs = Outputs(logs, claimed.Lease.Attempt, job.ResultJson),
            Attempt = claimed.Lease.Attempt,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            DurationMs = Math.Max(0, (long)(finishedAt - startedAt).TotalMilliseconds),
            ExitCode = attempt?.ExitCode ?? result.ExitCode,
            State = job.State.ToName(),
            ErrorCode = job.ErrorCode,
            CreatedAt = now,
        };
        var manifestJson = ManifestJson.Serialize(manifest);

        StoredReplayBundle? bundle = null;
        if (flags.IsOn(FeatureFlags.ReplayBundles, tenant.Id))
        {
            var content = Bundle(claimed, job, manifest, definitionJson, manifestJson);
            bundle = new StoredReplayBundle(tenant.Id, jobId, now, ManifestJson.Serialize(content));
        }

        if (!await manifests.SaveManifestAsync(scope, new StoredManifest(tenant.Id, jobId, manifest.Attempt, now, manifestJson), bundle, ct))
        {
            return; // already recorded (a retried completion): one manifest per job
        }

        var detail = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["attempt"] = manifest.Attempt,
            ["state"] = manifest.State,
            ["template_version"] = manifest.Template.Version,
            ["manifest_sha256"] = CanonicalJson.Sha256Hex(manifestJson),
            ["replay_bundle"] = bundle is not null,
        });
        await audit.RecordAsync(audit.Entry(null, tenant.Id, Actor, "manifest.create", jobId, "success", detail), ct);
    }

    /// <summary>
    /// The attempt's log streams (stdout and stderr always, runtime when the job wrote to it), each
    /// the UTF-8 bytes of its pieces in order, and the result in canonical JSON when there is one.
    /// </summary>
    public static IReadOnlyList<ManifestOutput> Outputs(IReadOnlyList<JobLogEntry> logs, int attempt, string? resultJson)
    {
        var streams = new Dictionary<string, StringBuilder>(StringComparer.Ordinal)
        {
            ["stdout"] = new(),
            ["stderr"] = new(),
        };
        foreach (var entry in logs.Where(e => e.Attempt == attempt))
        {
            if (!streams.TryGetValue(entry.Stream, out var text))
            {
                streams[entry.Stream] = text = new StringBuilder();
            }

            text.Append(entry.Text);
        }

        var outputs = streams.Select(s => Output(s.Key, s.Value.ToString())).ToList();
        if (resultJson is not null)
        {
            outputs.Add(Output("result", CanonicalJson.Of(resultJson)));
        }

        return outputs;
    }

    private static ManifestOutput Output(string name, string text) =>
        new(name, Encoding.UTF8.GetByteCount(text), CanonicalJson.Sha256Hex(text));

    private static ReplayBundle Bundle(ClaimedJob claimed, Job job, RunManifest manifest, string definitionJson, string manifestJson)
    {
        var template = claimed.Template;
        return new ReplayBundle
        {
            JobId = job.Id,
            TenantId = job.TenantId,
            Template = new BundleTemplate(
                template.Id, template.Key, template.Version, template.TenantId, manifest.Template.DefinitionSha256, JsonElement.Parse(definitionJson)),
            Inputs = JsonElement.Parse(job.InputsJson),
            InputsSha256 = manifest.InputsSha256,
            Priority = job.Priority,
            MaxAttempts = job.MaxAttempts,
            Limits = template.Definition.Limits,
            // SEC-1: the names the template declares; their values are resolved afresh at each launch (SEC-3).
            SecretNames = template.Definition.Secrets,
            ManifestSha256 = CanonicalJson.Sha256Hex(manifestJson),
            Outputs = manifest.Outputs,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The manifest of job {JobId} could not be written ({Error}); the job's outcome stands.")]
    private static partial void Failed(ILogger logger, string jobId, string error);
}
