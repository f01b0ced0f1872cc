using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Jobs;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;
using Bulwark.Server.Audit;
using Bulwark.Server.Execution;
using Bulwark.Server.Flags;
using Bulwark.Server.Workers;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Triggers;

/// <summary>
/// Starts a trigger's template (JOB-9) the way a submission does, without a caller: the template's
/// family flags (FLAG-1), a runnable kind, the inputs schema, then one enqueue with its
/// <c>trigger.fire</c> audit entry (actor <c>trigger:&lt;name&gt;</c>) in the same transaction. A
/// refusal creates nothing and is audited; it is an answer, never an exception, so one bad trigger
/// does not stop an event or a scheduler round.
/// </summary>
internal sealed class TriggeredJobs(
    IBulwarkStore store,
    IFeatureFlags flags,
    ExecutorRegistry executors,
    AuditTrail audit,
    WorkSignal workSignal,
    TimeProvider time)
{
    public const string FireAction = "trigger.fire";

    /// <summary>Action templates need a policy token, which no trigger can present (AUTHZ-3).</summary>
    public const string NotTriggerableCode = "action_template_not_triggerable";

    public static string ActorOf(string triggerName) => "trigger:" + triggerName;

    /// <param name="inputs">The job's inputs before validation against the template's schema.</param>
    /// <param name="idempotencyKey">Names the one job this cause may create (<c>event:…</c>, <c>cron:…</c>).</param>
    /// <param name="cause">What fired the trigger, for the audit entry (event id or occurrence).</param>
    public async Task<TriggerStart> StartAsync(
        HttpContext? http, TenantScope tenant, Trigger trigger, JsonElement inputs, string idempotencyKey,
        IReadOnlyDictionary<string, string> cause, CancellationToken ct)
    {
        var actor = ActorOf(trigger.Name);
        try
        {
            var template = await store.FindTemplateAsync(tenant, trigger.TemplateKey, ct)
                ?? throw new InvalidPayloadException($"There is no template '{trigger.TemplateKey}'.", "unknown_template");
            var definition = template.Definition;
            if (definition.Action)
            {
                throw new InvalidPayloadException("An action template cannot be started by a trigger.", NotTriggerableCode);
            }

            TemplateFamilies.RequireEnabled(flags, definition, tenant.TenantId);
            executors.EnsureRunnable(definition.Kind);
            var inputsJson = InputsValidator.Validate(definition, inputs);
            var now = time.GetUtcNow();
            var job = new NewJob
            {
                Id = JobIds.New(time),
                Template = template,
                InputsJson = inputsJson,
                MaxAttempts = definition.Retry.MaxAttempts,
                IdempotencyKey = idempotencyKey,
                RunAt = now,
                CreatedAt = now,
                Actor = actor,
            };
            var detail = Detail(trigger, cause, ("template_version", template.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                // AUD-1 records an inputs hash, never the inputs themselves.
                ("inputs_sha256", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inputsJson)))));
            var entry = audit.Entry(http, tenant.TenantId, actor, FireAction, job.Id, "success", detail);
            var result = await store.EnqueueAsync(tenant, job, entry, ct);
            if (result.Created)
            {
                workSignal.Notify();
            }

            return new TriggerStart(trigger.Name, result.Job.Id, result.Created, null, null);
        }
        catch (BulwarkException refused) when (refused is InvalidPayloadException or FeatureDisabledException or UnavailableException)
        {
            var detail = Detail(trigger, cause, ("code", refused.Code), ("reason", refused.Message));
            await audit.RecordAsync(audit.Entry(http, tenant.TenantId, actor, FireAction, trigger.Name, "failed", detail), ct);
            return new TriggerStart(trigger.Name, null, false, refused.Code, refused.Message);
        }
    }

    private static string Detail(Trigger trigger, IReadOnlyDictionary<string, string> cause, params (string Key, string Value)[] extra)
    {
        var detail = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["trigger"] = trigger.Name,
            ["kind"] = trigger.Kind.ToName(),
            ["template"] = trigger.TemplateKey,
        };
        foreach (var (key, value) in cause)
        {
            detail[key] = value;
        }

        foreach (var (key, value) in extra)
        {
            detail[key] = value;
        }

        return JsonSerializer.Serialize(detail);
    }
}

/// <summary>What one trigger did: the job it started (<see cref="Created"/> false: the cause had already started it), or why not.</summary>
internal sealed record TriggerStart(string Trigger, string? JobId, bool Created, string? Code, string? Message);
