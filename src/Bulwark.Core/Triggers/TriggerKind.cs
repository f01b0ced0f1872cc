namespace Bulwark.Core.Triggers;

/// <summary>What starts a trigger's template (JOB-9): a cron schedule, or an ingested event of one type.</summary>
public enum TriggerKind
{
    Cron,
    Event,
}

public static class TriggerKinds
{
    public static string ToName(this TriggerKind kind) => kind == TriggerKind.Cron ? "cron" : "event";

    public static TriggerKind Parse(string name) => name switch
    {
        "cron" => TriggerKind.Cron,
        "event" => TriggerKind.Event,
        _ => throw new FormatException($"'{name}' is not a trigger kind."),
    };
}
