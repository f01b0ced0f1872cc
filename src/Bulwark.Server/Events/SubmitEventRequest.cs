using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Http;

namespace Bulwark.Server.Events;

/// <summary>The body of <c>POST /v1/events</c> and of the runtime's <c>POST events</c> (API.md), read strictly (NET-2).</summary>
internal sealed record SubmitEventRequest(string EventType, string? TraceId, string PayloadJson, bool DryRun)
{
    /// <param name="allowDryRun">The user API takes <c>dry_run</c> (JOB-8); a running job has no use for it.</param>
    public static SubmitEventRequest Read(JsonElement body, bool allowDryRun)
    {
        if (allowDryRun)
        {
            JsonBody.RequireOnly(body, "event_type", "trace_id", "payload", "dry_run");
        }
        else
        {
            JsonBody.RequireOnly(body, "event_type", "trace_id", "payload");
        }

        var eventType = Identifiers.Require(JsonBody.OptionalString(body, "event_type"), "event_type");
        var traceId = JsonBody.OptionalString(body, "trace_id");
        if (traceId is not null)
        {
            Identifiers.Require(traceId, "trace_id");
        }

        var payload = JsonBody.Optional(body, "payload")
            ?? throw new InvalidPayloadException("The field 'payload' is required (a JSON object).");
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidPayloadException("The field 'payload' must be a JSON object.");
        }

        return new SubmitEventRequest(eventType, traceId, payload.GetRawText(), allowDryRun && (JsonBody.OptionalBool(body, "dry_run") ?? false));
    }
}
