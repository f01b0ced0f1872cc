using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;
using Bulwark.Core.Triggers;
using Bulwark.Server.Http;

namespace Bulwark.Server.Triggers;

/// <summary>
/// The body of <c>PUT /v1/triggers/{name}</c> (API.md), read strictly: cron
/// <c>{template, cron, time_zone?, inputs?, catch_up?, enabled?}</c> (time zone UTC when absent) or
/// event <c>{template, event_type, enabled?}</c>; the kind is whichever of <c>cron</c> and
/// <c>event_type</c> is given, never both.
/// </summary>
internal sealed record PutTriggerRequest(
    string Template, TriggerKind Kind, string? Cron, string? TimeZone, string? EventType, JsonElement? Inputs, bool CatchUp, bool Enabled)
{
    public const int MaxCronLength = 200;

    public static PutTriggerRequest Read(JsonElement body)
    {
        JsonBody.RequireOnly(body, "template", "cron", "time_zone", "inputs", "catch_up", "event_type", "enabled");
        var template = Identifiers.Require(JsonBody.OptionalString(body, "template"), "template");
        var cron = JsonBody.OptionalString(body, "cron");
        var eventType = JsonBody.OptionalString(body, "event_type");
        var enabled = JsonBody.OptionalBool(body, "enabled") ?? true;
        if ((cron is null) == (eventType is null))
        {
            throw new InvalidPayloadException("A trigger has either 'cron' (a cron trigger) or 'event_type' (an event trigger), not both.");
        }

        if (eventType is not null)
        {
            Identifiers.Require(eventType, "event_type");
            foreach (var cronOnly in new[] { "time_zone", "inputs", "catch_up" })
            {
                if (JsonBody.Optional(body, cronOnly) is not null)
                {
                    // The event itself is the job's input; an event has no schedule to catch up on.
                    throw new InvalidPayloadException($"The field '{cronOnly}' belongs to cron triggers only.");
                }
            }

            return new PutTriggerRequest(template, TriggerKind.Event, null, null, eventType, null, false, enabled);
        }

        if (cron!.Length > MaxCronLength)
        {
            throw new InvalidPayloadException($"The field 'cron' must be at most {MaxCronLength} characters.", "invalid_cron");
        }

        return new PutTriggerRequest(
            template,
            TriggerKind.Cron,
            cron,
            JsonBody.OptionalString(body, "time_zone") ?? "UTC",
            null,
            JsonBody.Optional(body, "inputs")?.Clone(),
            JsonBody.OptionalBool(body, "catch_up") ?? false,
            enabled);
    }
}
