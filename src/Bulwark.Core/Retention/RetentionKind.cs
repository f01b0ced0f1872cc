namespace Bulwark.Core.Retention;

/// <summary>The data types AUD-3 keeps for a configurable time, each with its own window.</summary>
public enum RetentionKind
{
    Audit,
    Jobs,
    Events,
    Manifests,
    ReplayBundles,
}

public static class RetentionKinds
{
    public static IReadOnlyList<RetentionKind> All { get; } = Enum.GetValues<RetentionKind>();

    /// <summary>The kind's part of its settings' names: <c>BULWARK_RETENTION_{stem}_DAYS</c>.</summary>
    public static string SettingStem(this RetentionKind kind) => kind switch
    {
        RetentionKind.Audit => "AUDIT",
        RetentionKind.Jobs => "JOBS",
        RetentionKind.Events => "EVENTS",
        RetentionKind.Manifests => "MANIFESTS",
        RetentionKind.ReplayBundles => "REPLAY_BUNDLES",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The node-wide setting, e.g. <c>BULWARK_RETENTION_JOBS_DAYS</c>.</summary>
    public static string Setting(this RetentionKind kind) => $"BULWARK_RETENTION_{kind.SettingStem()}_DAYS";
}
