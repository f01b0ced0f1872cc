namespace Bulwark.Storage.Postgres;

/// <summary>
/// The names the tenant wall is built from (TEN-2), for the wall tests and the docs: the schema,
/// the setting that carries the tenant, the two roles, every table, and the complete list of
/// functions that cross tenants. The migrations are written with these same constants.
/// </summary>
public static class PostgresSchema
{
    /// <summary>Holds every table of the store.</summary>
    public const string SchemaName = "bulwark";

    /// <summary>Holds the migration history; the application role has no privilege on it.</summary>
    public const string MetaSchemaName = "bulwark_meta";

    /// <summary>The transaction-local setting every policy reads the current tenant from.</summary>
    public const string TenantSetting = "bulwark.tenant_id";

    /// <summary>NOLOGIN; holds every privilege the application needs and is granted to its login.</summary>
    public const string AppRole = "bulwark_app";

    /// <summary>NOLOGIN, NOINHERIT; owns the SECURITY DEFINER functions and is the only role with cross-tenant policies.</summary>
    public const string SystemRole = "bulwark_system";

    /// <summary>Every table in <see cref="SchemaName"/>; each has row-level security enabled and forced.</summary>
    public static IReadOnlyList<string> Tables { get; } =
    [
        "tenants",
        "api_keys",
        "templates",
        "jobs",
        "attempts",
        "job_logs",
        "audit_log",
        "job_variables",
        "users",
        "revocations",
        "locks",
        "audit_chain_heads",
        "rate_windows",
        "events",
        "triggers",
        "flags",
        "manifests",
        "replay_bundles",
    ];

    /// <summary>Every SECURITY DEFINER function in <see cref="SchemaName"/>: nothing else crosses tenants.</summary>
    public static IReadOnlyList<CrossTenantFunction> CrossTenantFunctions { get; } =
    [
        new("claim_jobs", "Workers serve every tenant: the batch claim takes due jobs of all active tenants, writes their attempt rows and returns each job's template."),
        new("reap_expired_leases", "The reaper returns every tenant's jobs whose worker vanished to the queue (or to dead or cancelled)."),
        new("next_due_at", "Idle workers sleep until the earliest due job of any active tenant."),
        new("lease_tenant", "A worker presents only a lease: this names the job's tenant when the fence matches, and the call then runs under that tenant."),
        new("find_api_key", "Authentication looks a key up by its id before any tenant is known."),
        new("revoke_api_key", "The operator revokes a key by its id alone."),
        new("list_revocations", "Every node's revocation cache reads the revocations of all tenants."),
        new("add_global_revocation", "The operator revokes a token id in every tenant (a row without tenant)."),
        new("put_global_template", "The operator stores templates every tenant may run (rows without tenant)."),
        new("bootstrap_tenant", "The first start creates the first tenant and its admin key only when no tenant exists."),
        new("find_tenant_by_name", "Operator commands and authentication name a tenant before acting in it."),
        new("list_tenants", "The operator lists every tenant."),
        new("set_tenant_suspended", "The operator suspends or resumes a tenant by name."),
        new("lock_system_chain", "Entries without a tenant extend the system audit chain, whose head belongs to no tenant (AUD-2)."),
        new("advance_system_chain", "The system audit chain's head moves to the entry just appended to it (AUD-2)."),
        new("read_audit_chains", "The operator verifies and exports every audit chain, the system chain included (AUD-2, FLAG-4)."),
        new("list_audit_chain_heads", "Verify compares every chain with the head the store recorded for it (AUD-2)."),
        new("audit_cut", "Retention finds how far each chain, the system chain included, may be cut (AUD-3)."),
        new("remove_audit_through", "Retention deletes the start of a chain behind the checkpoint just appended to it; nothing else deletes audit rows (AUD-3)."),
        new("remove_unsealed_audit", "Retention deletes expired entries written before the audit chain existed (AUD-3)."),
        new("remove_finished_jobs", "Retention deletes every tenant's finished jobs past their window (AUD-3)."),
        new("read_flags", "Every node's flag state reads the flag values of all tenants and the node-wide ones (FLAG-2)."),
        new("set_node_flag", "The operator sets a node-wide flag value, a row without tenant (FLAG-2)."),
        new("find_replay_bundle", "The operator replays a job by its id alone; the bundle names the tenant the replay then runs in (JOB-11)."),
        new("remove_expired_manifests", "Retention deletes every tenant's manifests and replay bundles past their windows (AUD-3)."),
        new("purge_tenant", "The operator deletes every row of one tenant, the audit chain included (TEN-4)."),
        new("due_triggers", "The trigger scheduler on every node finds every active tenant's due cron triggers, then fires each under its tenant (JOB-9)."),
        new("remove_expired_events", "Retention deletes every tenant's events past their window (AUD-3)."),
        new("queue_depth", "The metrics gauge counts every tenant's queued, scheduled, retrying and running jobs, as totals per state without tenants (OPS-2)."),
    ];

    /// <summary>The schema version this build creates and requires.</summary>
    public static int LatestVersion => Schema.PostgresMigrations.All[^1].Version;
}
