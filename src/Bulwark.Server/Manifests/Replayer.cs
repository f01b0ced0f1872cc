using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Jobs;
using Bulwark.Core.Manifests;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Flags;

namespace Bulwark.Server.Manifests;

/// <summary>
/// <c>bulwark replay JOB [--dry-run]</c> (JOB-11): runs a finished job again from its replay bundle
/// — the SAME template version (not the newest), the same inputs, priority and attempts — as a new
/// job of the same tenant. Checks, in order, before anything is written: <c>replay_bundles</c> on
/// (node-wide, then for the tenant), a bundle kept, the tenant active, the template version still
/// stored and unchanged, its family flags (FLAG-1), not an action template (those need a policy
/// token, which an operator command cannot present: refused), the inputs still valid. A dry run
/// writes only its audit entry. Secrets are not in the bundle; the new run resolves them at launch
/// (SEC-3). Every outcome, refusals included, is audited as <c>job.replay</c> (AUD-1).
/// </summary>
public sealed class Replayer(IBulwarkStore store, IManifestStore manifests, IFeatureFlags flags, TimeProvider time)
{
    public const string Action = "job.replay";
    private const string Actor = "operator";

    public async Task<ReplayOutcome> ReplayAsync(string jobId, bool dryRun, CancellationToken ct)
    {
        // An operator's typing: a plain sentence, not an argument error.
        Identifiers.Require(jobId, "job id");
        string? tenantId = null;
        try
        {
            flags.Require(FeatureFlags.ReplayBundles);
            var stored = await manifests.FindReplayBundleAsync(jobId, ct)
                ?? throw new NotFoundException(
                    $"Job {jobId} has no replay bundle (replay bundles were off when it ran, or it expired); nothing was replayed.");
            tenantId = stored.TenantId;
            var bundle = Read(stored);
            var tenant = await store.FindTenantByIdAsync(stored.TenantId, ct)
                ?? throw new NotFoundException($"The tenant of job {jobId} no longer exists; nothing was replayed.");
            if (tenant.Suspended)
            {
                throw new ConflictException($"Tenant {tenant.Name} is suspended; resume it before replaying its jobs.", "tenant_suspended");
            }

            flags.Require(FeatureFlags.ReplayBundles, tenant.Id);
            var scope = TenantScope.Of(tenant);
            var template = await RequireTemplateAsync(scope, bundle, ct);
            TemplateFamilies.RequireEnabled(flags, template.Definition, tenant.Id);
            if (template.Definition.Action)
            {
                throw new ForbiddenException(
                    $"Job {jobId} ran the action template {template.Key}, which needs a policy token; bulwark replay does not replay action templates — submit it again through the API with a policy token.",
                    "replay_refused");
            }

            var inputsJson = InputsValidator.Validate(template.Definition, bundle.Inputs);
            if (CanonicalJson.Sha256(inputsJson) != bundle.InputsSha256)
            {
                throw new ConflictException($"The replay bundle of job {jobId} is damaged (its inputs do not match their hash); nothing was replayed.");
            }

            var outcome = new ReplayOutcome(jobId, null, tenant.Name, template.Key, template.Version, bundle.InputsSha256, bundle.SecretNames, dryRun);
            if (dryRun)
            {
                await store.AppendAuditAsync(Entry(tenant.Id, jobId, "success", Detail(outcome), dryRun: true), ct);
                return outcome;
            }

            var now = time.GetUtcNow();
            var job = new NewJob
            {
                Id = JobIds.New(time),
                Template = template,
                InputsJson = inputsJson,
                MaxAttempts = bundle.MaxAttempts,
                Priority = bundle.Priority,
                RunAt = now,
                CreatedAt = now,
                Actor = Actor,
            };
            var replayed = outcome with { NewJobId = job.Id };
            // The new job's own record names the job it replays (replay_of), in the enqueue's transaction.
            await store.EnqueueAsync(scope, job, Entry(tenant.Id, job.Id, "success", Detail(replayed), dryRun: false), ct);
            return replayed;
        }
        catch (BulwarkException e)
        {
            var detail = JsonSerializer.Serialize(new Dictionary<string, string> { ["replay_of"] = jobId, ["reason"] = e.Code });
            await store.AppendAuditAsync(Entry(tenantId, jobId, "denied", detail, dryRun), ct);
            throw;
        }
    }

    private async Task<JobTemplate> RequireTemplateAsync(TenantScope scope, ReplayBundle bundle, CancellationToken ct)
    {
        var named = $"{bundle.Template.Key}@{bundle.Template.Version}";
        var template = await manifests.FindTemplateVersionAsync(scope, bundle.Template.Id, ct)
            ?? throw new NotFoundException($"The template version {named} that job {bundle.JobId} ran no longer exists; nothing was replayed.");
        if (template.Version != bundle.Template.Version
            || CanonicalJson.Sha256(TemplateFile.ToJson(template.Definition)) != bundle.Template.DefinitionSha256)
        {
            throw new ConflictException($"The stored template {named} no longer matches the replay bundle of job {bundle.JobId}; nothing was replayed.");
        }

        return template;
    }

    private static ReplayBundle Read(StoredReplayBundle stored)
    {
        try
        {
            var bundle = ManifestJson.Parse<ReplayBundle>(stored.Json);
            return bundle.Format == ReplayBundle.CurrentFormat && bundle.JobId == stored.JobId
                ? bundle
                : throw new ConflictException($"The replay bundle of job {stored.JobId} is of an unknown format; nothing was replayed.");
        }
        catch (JsonException)
        {
            throw new ConflictException($"The replay bundle of job {stored.JobId} cannot be read; nothing was replayed.");
        }
    }

    private static string Detail(ReplayOutcome outcome) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["replay_of"] = outcome.ReplayOf,
        ["template"] = outcome.TemplateKey,
        ["template_version"] = outcome.TemplateVersion,
        // AUD-1 records an inputs hash, never the inputs; secret names only (SEC-1).
        ["inputs_sha256"] = outcome.InputsSha256,
        ["secret_names"] = outcome.SecretNames,
    });

    private AuditEntry Entry(string? tenantId, string target, string outcome, string detail, bool dryRun) => new()
    {
        At = time.GetUtcNow(),
        TenantId = tenantId,
        Actor = Actor,
        Action = Action,
        Target = target,
        Outcome = outcome,
        DryRun = dryRun,
        DetailJson = detail,
    };
}

/// <summary>What a replay did or, dry, would do. <see cref="NewJobId"/> is null for a dry run.</summary>
public sealed record ReplayOutcome(
    string ReplayOf,
    string? NewJobId,
    string TenantName,
    string TemplateKey,
    int TemplateVersion,
    string InputsSha256,
    IReadOnlyList<string> SecretNames,
    bool DryRun);
