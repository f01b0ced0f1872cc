using System.Text.Json;
using Bulwark.Core.Triggers;

namespace Bulwark.Server.Triggers;

/// <summary>A trigger as the API shows it; <see cref="Active"/> is false while it cannot fire (disabled, or the triggers flag off).</summary>
internal sealed record TriggerView(
    string Name,
    string Kind,
    string Template,
    string? Cron,
    string? TimeZone,
    string? EventType,
    JsonElement? Inputs,
    bool CatchUp,
    bool Enabled,
    bool Active,
    DateTimeOffset? NextFireAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static TriggerView Of(Trigger trigger, bool triggersOn) => new(
        trigger.Name,
        trigger.Kind.ToName(),
        trigger.TemplateKey,
        trigger.Cron,
        trigger.TimeZone,
        trigger.EventType,
        trigger.InputsJson is null ? null : JsonElement.Parse(trigger.InputsJson),
        trigger.CatchUp,
        trigger.Enabled,
        triggersOn && trigger.Enabled,
        trigger.NextFireAt,
        trigger.CreatedAt,
        trigger.UpdatedAt);
}

internal sealed record TriggerListView(IReadOnlyList<TriggerView> Triggers);
