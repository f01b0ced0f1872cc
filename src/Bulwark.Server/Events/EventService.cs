using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Events;
using Bulwark.Core.Flags;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;
using Bulwark.Server.Audit;
using Bulwark.Server.Triggers;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Events;

/// <summary>
/// Ingests one event (JOB-10) from the user API or a running job: behind the events flag (FLAG-1;
/// off → <c>feature_disabled</c>, nothing stored), stored and audited (<c>event.submit</c>, AUD-1),
/// then, when the triggers flag is on too, every enabled event trigger of its type starts its
/// template with the event as input (JOB-9). A dry run (JOB-8) checks everything, audits, stores nothing.
/// </summary>
internal sealed class EventService(
    IEventStore events,
    ITriggerStore triggers,
    TriggeredJobs triggeredJobs,
    IFeatureFlags flags,
    AuditTrail audit,
    TimeProvider time)
{
    public const string SubmitAction = "event.submit";

    /// <summary>
    /// An event this many trigger hops deep starts nothing: a job started by an event trigger that
    /// emits the event that started it would otherwise loop for ever.
    /// </summary>
    public const int MaxDepth = 8;

    public const string DepthExceededCode = "trigger_depth_exceeded";

    /// <summary>Throws <c>feature_disabled</c> (403) when events are off for the tenant; called before anything else.</summary>
    public void RequireEnabled(TenantScope tenant) => flags.Require(FeatureFlags.Events, tenant.TenantId);

    public async Task<EventDryRunView> DryRunAsync(HttpContext http, TenantScope tenant, string actor, SubmitEventRequest request, CancellationToken ct)
    {
        RequireEnabled(tenant);
        var bound = flags.IsOn(FeatureFlags.Triggers, tenant.TenantId)
            ? (await triggers.ListEventTriggersAsync(tenant, request.EventType, ct)).Select(t => t.Name).ToList()
            : [];
        await audit.RecordAsync(
            audit.Entry(http, tenant.TenantId, actor, SubmitAction, request.EventType, "success", Detail(request, null, 0), dryRun: true),
            ct);
        return new EventDryRunView(true, request.EventType, request.TraceId, bound);
    }

    /// <param name="depth">Trigger hops behind this event (see <see cref="TenantEvent.Depth"/>).</param>
    public async Task<EventView> SubmitAsync(
        HttpContext http, TenantScope tenant, string actor, SubmitEventRequest request, int depth, CancellationToken ct)
    {
        RequireEnabled(tenant);
        var submitted = new TenantEvent
        {
            Id = EventIds.New(time),
            TenantId = tenant.TenantId,
            EventType = request.EventType,
            TraceId = request.TraceId,
            PayloadJson = request.PayloadJson,
            ReceivedAt = time.GetUtcNow(),
            Actor = actor,
            Depth = depth,
        };
        // AUD-1: the event and its entry in one transaction, like a job and its job.submit.
        await events.AddEventAsync(
            tenant,
            submitted,
            audit.Entry(http, tenant.TenantId, actor, SubmitAction, submitted.Id, "success", Detail(request, submitted.Id, depth)),
            ct);

        var jobs = new List<string>();
        var notStarted = new List<NotStartedView>();
        if (flags.IsOn(FeatureFlags.Triggers, tenant.TenantId))
        {
            await StartTriggersAsync(http, tenant, submitted, jobs, notStarted, ct);
        }

        return new EventView(submitted.Id, submitted.EventType, submitted.TraceId, submitted.ReceivedAt, jobs, notStarted);
    }

    private async Task StartTriggersAsync(
        HttpContext http, TenantScope tenant, TenantEvent submitted, List<string> jobs, List<NotStartedView> notStarted, CancellationToken ct)
    {
        var bound = await triggers.ListEventTriggersAsync(tenant, submitted.EventType, ct);
        if (bound.Count == 0)
        {
            return;
        }

        if (submitted.Depth >= MaxDepth)
        {
            var message = $"The event is {submitted.Depth} trigger hops deep; triggers start nothing from {MaxDepth} hops on.";
            await audit.RecordAsync(
                audit.Entry(http, tenant.TenantId, submitted.Actor, "trigger.loop_stopped", submitted.Id, "denied",
                    JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["event_type"] = submitted.EventType,
                        ["depth"] = submitted.Depth,
                        ["triggers"] = bound.Select(t => t.Name).ToList(),
                    })),
                ct);
            notStarted.AddRange(bound.Select(t => new NotStartedView(t.Name, DepthExceededCode, message)));
            return;
        }

        var inputs = InputsOf(submitted);
        var cause = new Dictionary<string, string> { ["event_id"] = submitted.Id, ["event_type"] = submitted.EventType };
        foreach (var trigger in bound)
        {
            // JOB-5: one job per (event, trigger), however often the start is attempted.
            var start = await triggeredJobs.StartAsync(http, tenant, trigger, inputs, $"event:{submitted.Id}:{trigger.Name}", cause, ct);
            if (start.JobId is { } jobId)
            {
                jobs.Add(jobId);
            }
            else
            {
                notStarted.Add(new NotStartedView(trigger.Name, start.Code!, start.Message!));
            }
        }
    }

    /// <summary>The job's inputs: <c>{"event": {id, event_type, trace_id, payload}}</c>, checked against the template's schema.</summary>
    private static JsonElement InputsOf(TenantEvent submitted)
    {
        var inputs = new JsonObject
        {
            ["event"] = new JsonObject
            {
                ["id"] = submitted.Id,
                ["event_type"] = submitted.EventType,
                ["trace_id"] = submitted.TraceId,
                ["payload"] = JsonNode.Parse(submitted.PayloadJson),
            },
        };
        return JsonElement.Parse(inputs.ToJsonString());
    }

    private static string Detail(SubmitEventRequest request, string? eventId, int depth)
    {
        var detail = new Dictionary<string, object?>
        {
            ["event_type"] = request.EventType,
            ["trace_id"] = request.TraceId,
            // AUD-1: a hash of the payload, never the payload itself.
            ["payload_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.PayloadJson))),
            ["depth"] = depth,
        };
        if (eventId is not null)
        {
            detail["event_id"] = eventId;
        }

        return JsonSerializer.Serialize(detail);
    }
}
