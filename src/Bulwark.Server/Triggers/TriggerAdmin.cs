using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Flags;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Triggers;

/// <summary>
/// A tenant's triggers through the API (JOB-9). Configuration is not a side effect, so PUT and
/// DELETE work whatever the triggers flag says; nothing fires while it is off. A PUT checks now
/// what it can: the template exists and may be triggered (not an action template, whose jobs need
/// a policy token), the caller holds the template's own scope, the cron and zone parse, and a
/// cron trigger's inputs pass the template's schema.
/// </summary>
internal sealed class TriggerAdmin(IBulwarkStore store, ITriggerStore triggers, IFeatureFlags flags, AuditTrail audit, TimeProvider time)
{
    /// <summary>The most triggers one tenant may have.</summary>
    public const int MaxPerTenant = 100;

    public const string LimitCode = "trigger_limit";

    public async Task<TriggerListView> ListAsync(Principal caller, CancellationToken ct)
    {
        var on = flags.IsOn(FeatureFlags.Triggers, caller.Tenant.TenantId);
        var list = await triggers.ListTriggersAsync(caller.Tenant, ct);
        return new TriggerListView(list.Select(t => TriggerView.Of(t, on)).ToList());
    }

    /// <summary>Creates or replaces; <c>Created</c> says which.</summary>
    public async Task<(TriggerView View, bool Created)> PutAsync(HttpContext http, Principal caller, string name, PutTriggerRequest request, CancellationToken ct)
    {
        Identifiers.Require(name, "trigger name");
        var template = await store.FindTemplateAsync(caller.Tenant, request.Template, ct)
            ?? throw new InvalidPayloadException($"There is no template '{request.Template}'.", "unknown_template");
        if (template.Definition.RequiredScope is { } templateScope)
        {
            await ScopeRequirement.DemandAsync(http, caller, templateScope);
        }

        if (template.Definition.Action)
        {
            throw new InvalidPayloadException(
                "An action template cannot be bound to a trigger: each of its jobs needs a policy token (AUTHZ-3).",
                TriggeredJobs.NotTriggerableCode);
        }

        var now = time.GetUtcNow();
        string? inputsJson = null;
        DateTimeOffset? next = null;
        if (request.Kind == TriggerKind.Cron)
        {
            var schedule = CronSchedule.Parse(request.Cron!, request.TimeZone!);
            inputsJson = InputsValidator.Validate(template.Definition, request.Inputs);
            next = request.Enabled ? schedule.NextAfter(now) : null;
        }

        var existing = await triggers.GetTriggerAsync(caller.Tenant, name, ct);
        if (existing is null && (await triggers.ListTriggersAsync(caller.Tenant, ct)).Count >= MaxPerTenant)
        {
            // Every node's scheduler serves all tenants: one tenant's thousands of triggers would
            // push the others' occurrences past their grace and get them skipped.
            throw new ConflictException(
                $"The tenant already has {MaxPerTenant} triggers, the most it may have; delete one first.", LimitCode);
        }

        var stored = await triggers.PutTriggerAsync(
            caller.Tenant,
            new Trigger
            {
                TenantId = caller.Tenant.TenantId,
                Name = name,
                Kind = request.Kind,
                TemplateKey = template.Key,
                Cron = request.Cron,
                TimeZone = request.TimeZone,
                EventType = request.EventType,
                InputsJson = inputsJson,
                CatchUp = request.CatchUp,
                Enabled = request.Enabled,
                NextFireAt = next,
                CreatedAt = now,
                UpdatedAt = now,
            },
            ct);
        await audit.RecordAsync(
            audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "trigger.put", name, "success",
                JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["kind"] = stored.Kind.ToName(),
                    ["template"] = stored.TemplateKey,
                    ["cron"] = stored.Cron,
                    ["time_zone"] = stored.TimeZone,
                    ["event_type"] = stored.EventType,
                    ["enabled"] = stored.Enabled,
                    ["replaced"] = existing is not null,
                })),
            ct);
        return (TriggerView.Of(stored, flags.IsOn(FeatureFlags.Triggers, caller.Tenant.TenantId)), existing is null);
    }

    public async Task DeleteAsync(HttpContext http, Principal caller, string name, CancellationToken ct)
    {
        Identifiers.Require(name, "trigger name");
        if (!await triggers.DeleteTriggerAsync(caller.Tenant, name, ct))
        {
            // TEN-1: another tenant's trigger is as absent as a missing one.
            throw new NotFoundException($"There is no trigger '{name}'.");
        }

        await audit.RecordAsync(audit.Entry(http, caller.Tenant.TenantId, caller.Subject, "trigger.delete", name, "success"), ct);
    }
}
