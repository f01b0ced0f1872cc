using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulwark.Core.Triggers;

/// <summary>
/// A trigger's definition as the stores keep it (<c>definition_json</c>): what the tenant PUT, minus
/// what has a column of its own (tenant, name, kind, next occurrence, times). One format for both stores.
/// </summary>
public static class TriggerDefinitions
{
    public static string ToJson(Trigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var json = new JsonObject
        {
            ["template"] = trigger.TemplateKey,
            ["cron"] = trigger.Cron,
            ["time_zone"] = trigger.TimeZone,
            ["event_type"] = trigger.EventType,
            ["inputs"] = trigger.InputsJson is null ? null : JsonNode.Parse(trigger.InputsJson),
            ["catch_up"] = trigger.CatchUp,
            ["enabled"] = trigger.Enabled,
        };
        return json.ToJsonString();
    }

    /// <summary>The stored row back as a <see cref="Trigger"/>.</summary>
    public static Trigger FromRow(
        string tenantId, string name, string kind, string definitionJson, DateTimeOffset? nextFireAt, DateTimeOffset createdAt, DateTimeOffset updatedAt)
    {
        using var document = JsonDocument.Parse(definitionJson);
        var root = document.RootElement;
        return new Trigger
        {
            TenantId = tenantId,
            Name = name,
            Kind = TriggerKinds.Parse(kind),
            TemplateKey = root.GetProperty("template").GetString()!,
            Cron = StringOf(root, "cron"),
            TimeZone = StringOf(root, "time_zone"),
            EventType = StringOf(root, "event_type"),
            InputsJson = root.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Object ? inputs.GetRawText() : null,
            CatchUp = root.TryGetProperty("catch_up", out var catchUp) && catchUp.ValueKind == JsonValueKind.True,
            Enabled = !root.TryGetProperty("enabled", out var enabled) || enabled.ValueKind != JsonValueKind.False,
            NextFireAt = nextFireAt,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
        };
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
