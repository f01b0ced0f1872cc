using Bulwark.Core.Triggers;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A triggers row as selected with <see cref="Columns"/>, and the parameters of its upsert.</summary>
public sealed class TriggerRow
{
    /// <summary>The columns of the upsert, in the order of its values.</summary>
    public const string InsertColumns =
        "tenant_id, name, kind, event_type, definition_json, next_fire_at, created_at, updated_at";

    /// <summary>
    /// What the upsert replaces when the trigger exists: everything but the tenant, the name and
    /// created_at, which stay as first written.
    /// </summary>
    public const string UpsertSet =
        "kind = excluded.kind, event_type = excluded.event_type, definition_json = excluded.definition_json, "
        + "next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at";

    public const string Columns =
        "tenant_id AS TenantId, name AS Name, kind AS Kind, definition_json AS DefinitionJson, next_fire_at AS NextFireAt, "
        + "created_at AS CreatedAt, updated_at AS UpdatedAt";

    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    /// <summary>Written for the lookup of event triggers; not selected (the definition holds it too).</summary>
    public string? EventType { get; set; }
    public string DefinitionJson { get; set; } = "";
    public long? NextFireAt { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    /// <summary>The row to upsert. The tenant comes from the caller's scope, never from the trigger.</summary>
    public static TriggerRow From(string tenantId, Trigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return new()
        {
            TenantId = tenantId,
            Name = trigger.Name,
            Kind = trigger.Kind.ToName(),
            EventType = trigger.EventType,
            DefinitionJson = TriggerDefinitions.ToJson(trigger),
            NextFireAt = UnixMs.From(trigger.NextFireAt),
            CreatedAt = UnixMs.From(trigger.CreatedAt),
            UpdatedAt = UnixMs.From(trigger.UpdatedAt),
        };
    }

    public Trigger ToTrigger() => TriggerDefinitions.FromRow(
        TenantId, Name, Kind, DefinitionJson, UnixMs.To(NextFireAt), UnixMs.To(CreatedAt), UnixMs.To(UpdatedAt));
}
