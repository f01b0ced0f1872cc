namespace Bulwark.Core.Flags;

/// <summary>Every flag of FLAG-1, by the name <c>bulwark flags</c> and <c>/v1/flags</c> use.</summary>
public static class FeatureFlags
{
    public static readonly FeatureFlag Events = new("events", "BULWARK_EVENTS_ENABLED", false, false, "Event ingestion (POST /v1/events, runtime events).");
    public static readonly FeatureFlag Triggers = new("triggers", "BULWARK_TRIGGERS_ENABLED", false, false, "Cron and event triggers start templates.");
    public static readonly FeatureFlag AutopilotJobs = new("autopilot_jobs", "BULWARK_AUTOPILOT_JOBS_ENABLED", false, false, "Templates whose key starts with 'autopilot.'.");
    public static readonly FeatureFlag ActionJobs = new("action_jobs", "BULWARK_ACTION_JOBS_ENABLED", false, false, "Action templates (action: true), each behind a policy token.");
    public static readonly FeatureFlag Manifests = new("manifests", "BULWARK_MANIFESTS_ENABLED", false, false, "A manifest per finished run (GET /v1/jobs/{id}/manifest).");
    public static readonly FeatureFlag AuditLogging = new("audit_logging", "BULWARK_AUDIT_LOGGING_ENABLED", false, false, "The full read trail in the audit log (security entries are written regardless).");
    public static readonly FeatureFlag VerifyJobs = new("verify_jobs", "BULWARK_VERIFY_JOBS_ENABLED", false, false, "Templates whose key starts with 'verify.'.");
    public static readonly FeatureFlag ReplayBundles = new("replay_bundles", "BULWARK_REPLAY_BUNDLES_ENABLED", false, false, "Replay bundles and bulwark replay.");
    public static readonly FeatureFlag SecurityValidation = new("security_validation", "BULWARK_SECURITY_VALIDATION_ENABLED", true, true, "Payload validation (NET-2).");
    public static readonly FeatureFlag RequirePolicyTokens = new("require_policy_tokens", "BULWARK_REQUIRE_POLICY_TOKENS", true, true, "Action jobs need a policy token (AUTHZ-3).");

    public static IReadOnlyList<FeatureFlag> All { get; } =
    [
        Events, Triggers, AutopilotJobs, ActionJobs, Manifests, AuditLogging, VerifyJobs, ReplayBundles,
        SecurityValidation, RequirePolicyTokens,
    ];

    /// <summary>By name, case-insensitive; <c>-</c> may stand for <c>_</c> (<c>action-jobs</c>).</summary>
    public static FeatureFlag? Find(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name.Replace('-', '_'), StringComparison.OrdinalIgnoreCase));
}
