using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Tokens;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Bulwark.Server.Execution;
using Bulwark.Server.Hosting;
using Bulwark.Server.Policy;
using Bulwark.Server.Workers;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Jobs;

/// <summary>
/// Submission and the tenant's view of its jobs. The order of checks is the order of
/// ARCHITECTURE.md: template → template scope → family flags → policy token → inputs → dry run → enqueue + audit,
/// so a refused request has stored nothing.
/// </summary>
internal sealed class JobService(
    IBulwarkStore store,
    ExecutorRegistry executors,
    AuditTrail audit,
    WorkSignal workSignal,
    RunningJobs runningJobs,
    IFeatureFlags flags,
    PolicyTokenGate policyTokens,
    TimeProvider time)
{
    public async Task<SubmitOutcome> SubmitAsync(HttpContext http, Principal caller, SubmitJobRequest request, CancellationToken ct)
    {
        var template = await store.FindTemplateAsync(caller.Tenant, request.Template, ct)
            ?? throw new InvalidPayloadException($"There is no template '{request.Template}'.", "unknown_template");
        var definition = template.Definition;
        if (definition.RequiredScope is { } templateScope)
        {
            await ScopeRequirement.DemandAsync(http, caller, templateScope);
        }

        // Seed 000: a template family is off until an operator turns its flag on, for this tenant
        // (FLAG-1: autopilot.*, verify.*, every action template), dry runs included. Then each
        // action needs a policy token naming this tenant, this template and its scope (AUTHZ-3, JOB-8).
        Flags.TemplateFamilies.RequireEnabled(flags, definition, caller.Tenant.TenantId);
        PolicyClaims? policy = null;
        if (definition.Action)
        {
            policy = await policyTokens.DemandAsync(http, caller, template, request.PolicyToken, request.DryRun, ct);
        }

        executors.EnsureRunnable(definition.Kind);
        // NET-2: security_validation off (development only, FlagSettings) skips the template's
        // inputs schema and nothing else: the inputs are still canonical, bounded JSON.
        var inputsJson = InputsValidator.Validate(
            flags.IsOn(FeatureFlags.SecurityValidation, caller.Tenant.TenantId) ? definition : definition with { InputsSchema = null },
            request.Inputs);
        var now = time.GetUtcNow();
        var detail = AuditDetail(template, inputsJson, policy);

        if (request.DryRun)
        {
            await audit.RecordAsync(
                audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "job.submit", template.Key, "success", detail, dryRun: true),
                ct);
            if (policy is not null)
            {
                await policyTokens.RecordUseAsync(http, caller, policy, template.Key, dryRun: true, ct);
            }

            return new SubmitOutcome.DryRun(new DryRunView(true, template.Key, template.Version, JsonElement.Parse(inputsJson)));
        }

        var job = new NewJob
        {
            Id = JobIds.New(time),
            Template = template,
            InputsJson = inputsJson,
            MaxAttempts = request.MaxAttempts ?? definition.Retry.MaxAttempts,
            Priority = request.Priority,
            IdempotencyKey = request.IdempotencyKey,
            RunAt = request.RunAt is { } at && at > now ? at : now,
            CreatedAt = now,
            Actor = caller.Subject,
        };
        var entry = audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "job.submit", job.Id, "success", detail);
        var result = await store.EnqueueAsync(caller.Tenant, job, entry, ct);
        if (!result.Created)
        {
            // JOB-5: the same key with a different request is a client bug, not a retry.
            if (result.Job.TemplateKey != job.Template.Key || result.Job.InputsJson != inputsJson)
            {
                throw new ConflictException(
                    $"The idempotency key '{request.IdempotencyKey}' was already used for a different request.",
                    "idempotency_key_reused");
            }

            return new SubmitOutcome.Existing(result.Job);
        }

        if (policy is not null)
        {
            await policyTokens.RecordUseAsync(http, caller, policy, result.Job.Id, dryRun: false, ct);
        }

        workSignal.Notify();
        return new SubmitOutcome.Submitted(result.Job);
    }

    public async Task<Job> GetAsync(Principal caller, string jobId, CancellationToken ct) =>
        await store.GetJobAsync(caller.Tenant, jobId, ct) ?? throw NotFound(jobId);

    public Task<JobPage> ListAsync(Principal caller, JobQuery query, CancellationToken ct) =>
        store.ListJobsAsync(caller.Tenant, query, ct);

    public async Task<CancelResult> CancelAsync(HttpContext http, Principal caller, string jobId, CancellationToken ct)
    {
        var result = await store.RequestCancelAsync(caller.Tenant, jobId, time.GetUtcNow(), ct) ?? throw NotFound(jobId);
        if (result.WasRunning)
        {
            // Kill at once when the run is on this node; other nodes learn it at their next heartbeat.
            runningJobs.TryCancel(jobId);
        }

        await audit.RecordAsync(
            audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "job.cancel", jobId, "success"),
            ct);
        return result;
    }

    public async Task<IReadOnlyList<JobLogEntry>> LogsAsync(Principal caller, string jobId, CancellationToken ct) =>
        await store.GetLogsAsync(caller.Tenant, jobId, ct) ?? throw NotFound(jobId);

    // The same answer for "absent" and "another tenant's" (TEN-1): ids leak nothing.
    private static NotFoundException NotFound(string jobId) => new($"There is no job '{jobId}'.");

    private static string AuditDetail(JobTemplate template, string inputsJson, PolicyClaims? policy)
    {
        var detail = new Dictionary<string, object>
        {
            ["template_version"] = template.Version,
            // AUD-1 records an inputs hash, never the inputs themselves.
            ["inputs_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inputsJson))),
        };
        if (policy is not null)
        {
            // AUTHZ-3: which policy token authorised the job (its id, never the token).
            detail["policy_token_jti"] = policy.TokenId;
            detail["policy_token_actor"] = policy.Actor;
        }

        return JsonSerializer.Serialize(detail);
    }
}

internal abstract record SubmitOutcome
{
    public sealed record Submitted(Job Job) : SubmitOutcome;

    public sealed record Existing(Job Job) : SubmitOutcome;

    public sealed record DryRun(DryRunView View) : SubmitOutcome;
}
