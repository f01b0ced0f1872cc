namespace Bulwark.Server.Hosting;

/// <summary>
/// Every setting of <c>bulwark serve</c> (OPS-3). Bound from <c>bulwark.json</c> and from
/// <c>BULWARK_*</c> environment variables by <see cref="BulwarkConfiguration"/>; each property is
/// documented with its default in docs/configuration.md.
/// </summary>
public sealed class BulwarkOptions
{
    /// <summary>Directory of the embedded store and run work dirs.</summary>
    public string DataDir { get; set; } = "./bulwark-data";

    /// <summary>
    /// SQLite file path (empty: <c>{DataDir}/bulwark.db</c>), or a PostgreSQL connection string
    /// (<c>Host=…</c> or <c>postgres://…</c>) of the application login. Carries a password: never logged.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>
    /// PostgreSQL only (<c>BULWARK_DATABASE_OWNER</c>): the schema owner's connection string, used
    /// at start to migrate and nothing else; unset, the schema must already be current. Never logged.
    /// </summary>
    public string? DatabaseOwner { get; set; }

    /// <summary>Where Kestrel listens.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary><c>dev</c>, <c>staging</c>, <c>prod</c>…</summary>
    public string Env { get; set; } = "dev";

    /// <summary>
    /// SEC-2: directory of secret files, <c>{dir}/{env}/{tenant}/{name}</c> (<c>BULWARK_SECRETS_DIR</c>;
    /// a mounted Kubernetes secret works as it is); unset, secrets come from <c>BULWARK_SECRET_*</c> variables only.
    /// </summary>
    public string? SecretsDir { get; set; }

    /// <summary>
    /// A sink beside the console for the server's log, already behind its redaction (SEC-4); not a
    /// setting: the end-to-end tests read what the server logged through it.
    /// </summary>
    internal Microsoft.Extensions.Logging.ILoggerProvider? AdditionalLogProvider { get; set; }

    /// <summary><c>bwrap</c>; <c>none</c> runs unconfined and only when <see cref="Env"/> is <c>dev</c>.</summary>
    public string Sandbox { get; set; } = "bwrap";

    /// <summary>The bubblewrap executable (a bare name is looked up on PATH).</summary>
    public string SandboxBwrapPath { get; set; } = "bwrap";

    /// <summary>Host uid/gid the sandboxed job runs as (the server itself may be root).</summary>
    public int SandboxUid { get; set; } = 65534;
    public int SandboxGid { get; set; } = 65534;

    /// <summary>Concurrent runs per node.</summary>
    public int Workers { get; set; } = 4;

    /// <summary>Most jobs taken per claim transaction.</summary>
    public int ClaimBatch { get; set; } = 8;

    public int LeaseSeconds { get; set; } = 30;
    public int HeartbeatSeconds { get; set; } = 10;
    public int ReaperSeconds { get; set; } = 5;

    /// <summary>How often each node reloads revocations and suspended tenants from the store (AUTH-5, TEN-4).</summary>
    public int RevocationRefreshSeconds { get; set; } = 2;

    /// <summary>
    /// How often the queue-depth gauge of <c>/metrics</c> is sampled from the store
    /// (<c>BULWARK_METRICS_SAMPLE_SECONDS</c>, 1–3600; OPS-2): the scrape reports the last sample.
    /// </summary>
    public int MetricsSampleSeconds { get; set; } = 15;

    /// <summary>Longest an idle worker sleeps before looking for due jobs again.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Shared secret of remote workers (AUTH-7, <c>BULWARK_WORKER_TOKEN</c>): unset, the worker API
    /// (<c>/worker/v1</c>) does not exist (404); set, it must be at least 32 characters (AUTHZ-4).
    /// </summary>
    public string? WorkerToken { get; set; }

    /// <summary>False: this server claims no jobs itself and leaves them to remote workers (<c>BULWARK_LOCAL_WORKERS</c>).</summary>
    public bool LocalWorkers { get; set; } = true;

    /// <summary>Largest accepted request body (NET-2).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>AUTH-4: comma-separated CIDRs of the ingresses whose identity headers are believed; empty: none.</summary>
    public string? TrustedProxies { get; set; }

    /// <summary>AUTH-4: the header a trusted proxy puts the verified client subject DN in (<c>O</c> tenant, <c>CN</c> subject).</summary>
    public string MtlsIdentityHeader { get; set; } = "x-ssl-client-subject";

    /// <summary>AUTH-4: the header a trusted proxy puts the client's roles in (comma-separated); empty: not read.</summary>
    public string? MtlsRolesHeader { get; set; }

    /// <summary>NET-4, AUTH-4: PEM server certificate for the https <see cref="Urls"/>; empty: no TLS here.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>; empty: the key is in that file.</summary>
    public string? TlsCertificateKeyPath { get; set; }

    /// <summary>AUTH-4: PEM bundle of the only CAs whose client certificates are accepted; empty: no client certificates.</summary>
    public string? MtlsClientCaPath { get; set; }

    // ---- transport (NET-4) -------------------------------------------------------------------

    /// <summary>
    /// Browser origins allowed to call the API (<c>BULWARK_CORS_ORIGINS</c>, comma-separated exact
    /// origins such as <c>https://app.example.com</c>; never <c>*</c>); empty: no CORS at all.
    /// </summary>
    public string? CorsOrigins { get; set; }

    /// <summary><c>Strict-Transport-Security</c> max-age on https responses (<c>BULWARK_HSTS_MAX_AGE_SECONDS</c>, one year).</summary>
    public int HstsMaxAgeSeconds { get; set; } = 31_536_000;

    // ---- authentication (AUTH-1, AUTH-3, AUTHZ-2) ----------------------------------------

    /// <summary>
    /// <c>BULWARK_AUTH_MODE</c>: any of <c>api_key,jwt,mtls</c> (comma-separated), or <c>none</c>,
    /// which makes every request the <c>default</c> tenant's admin and is allowed only on loopback (AUTHZ-4).
    /// </summary>
    public string AuthMode { get; set; } = "api_key";

    /// <summary>HS256 secret (<c>BULWARK_JWT_SECRET</c>), at least 32 bytes; unset: no HMAC tokens.</summary>
    public string? JwtSecret { get; set; }

    /// <summary>Where RS256/ES256 public keys are fetched (<c>BULWARK_JWT_JWKS_URL</c>, http or https).</summary>
    public string? JwtJwksUrl { get; set; }

    /// <summary>Required <c>iss</c> (<c>BULWARK_JWT_ISSUER</c>); unset: not checked.</summary>
    public string? JwtIssuer { get; set; }

    /// <summary>Required <c>aud</c> (<c>BULWARK_JWT_AUDIENCE</c>); unset: not checked.</summary>
    public string? JwtAudience { get; set; }

    /// <summary>
    /// Accepted <c>alg</c> values (<c>BULWARK_JWT_ALLOWED_ALGS</c>, comma- or space-separated); unset:
    /// HS256 when a secret is set, RS256 and ES256 when a JWKS URL is set. <c>none</c> is never accepted.
    /// </summary>
    public string? JwtAllowedAlgs { get; set; }

    /// <summary>Tolerance on <c>exp</c>, <c>nbf</c> and <c>iat</c> (<c>BULWARK_JWT_CLOCK_SKEW_SEC</c>).</summary>
    public int JwtClockSkewSec { get; set; } = 60;

    /// <summary>Longest accepted token life, exp − iat or exp − nbf (<c>BULWARK_JWT_MAX_LIFETIME_SEC</c>).</summary>
    public int JwtMaxLifetimeSec { get; set; } = 86400;

    /// <summary>How long fetched JWKS keys are used before they are fetched again (<c>BULWARK_JWT_JWKS_CACHE_SEC</c>).</summary>
    public int JwtJwksCacheSec { get; set; } = 600;

    /// <summary>Least time between two fetches caused by an unknown <c>kid</c> (<c>BULWARK_JWT_JWKS_REFETCH_FLOOR_SEC</c>).</summary>
    public int JwtJwksRefetchFloorSec { get; set; } = 30;

    /// <summary>Claim names (<c>BULWARK_JWT_SUB_CLAIM</c>, <c>_TENANT_CLAIM</c>, <c>_ROLES_CLAIM</c>, <c>_SCOPES_CLAIM</c>).</summary>
    public string JwtSubClaim { get; set; } = "sub";
    public string JwtTenantClaim { get; set; } = "tenant";
    public string JwtRolesClaim { get; set; } = "roles";
    public string JwtScopesClaim { get; set; } = "scope";

    /// <summary>
    /// Scopes per role (AUTHZ-2) from <c>BULWARK_ROLE_&lt;NAME&gt;_SCOPES</c>; the variable names are
    /// dynamic, so <see cref="BulwarkConfiguration.Load"/> reads them itself rather than the binder.
    /// </summary>
    public Core.Identity.RoleScopes RoleScopes { get; internal set; } = Core.Identity.RoleScopes.Defaults;

    // ---- action jobs and policy tokens (FLAG-1, AUTHZ-3, AUTHZ-4, SEC-3) -----------------

    /// <summary>Action templates (<c>action: true</c>) may run (<c>BULWARK_ACTION_JOBS_ENABLED</c>, default off).</summary>
    public bool ActionJobsEnabled { get; set; }

    /// <summary>An action job needs a valid policy token (<c>BULWARK_REQUIRE_POLICY_TOKENS</c>, default on).</summary>
    public bool RequirePolicyTokens { get; set; } = true;

    // ---- the other feature flags of FLAG-1 (seed 000: all off but validation) -------------------

    public bool EventsEnabled { get; set; }
    public bool TriggersEnabled { get; set; }
    public bool AutopilotJobsEnabled { get; set; }
    public bool ManifestsEnabled { get; set; }
    public bool AuditLoggingEnabled { get; set; }
    public bool VerifyJobsEnabled { get; set; }
    public bool ReplayBundlesEnabled { get; set; }
    public bool SecurityValidationEnabled { get; set; } = true;

    /// <summary>The configured value of <paramref name="flag"/> (the store may only make it stricter).</summary>
    public bool Configured(Core.Flags.FeatureFlag flag) => flag.Name switch
    {
        "events" => EventsEnabled,
        "triggers" => TriggersEnabled,
        "autopilot_jobs" => AutopilotJobsEnabled,
        "action_jobs" => ActionJobsEnabled,
        "manifests" => ManifestsEnabled,
        "audit_logging" => AuditLoggingEnabled,
        "verify_jobs" => VerifyJobsEnabled,
        "replay_bundles" => ReplayBundlesEnabled,
        "security_validation" => SecurityValidationEnabled,
        "require_policy_tokens" => RequirePolicyTokens,
        _ => throw new ArgumentOutOfRangeException(nameof(flag), flag.Name, "Not a flag of FLAG-1."),
    };

    // ---- feature flags in the store (FLAG-2) --------------------------------------------------

    /// <summary>How often each node reloads flag values from the store (<c>BULWARK_FLAGS_REFRESH_SECONDS</c>, 1–60).</summary>
    public int FlagsRefreshSeconds { get; set; } = 2;

    /// <summary>Signs and verifies policy tokens (<c>BULWARK_POLICY_TOKEN_SECRET</c>), at least 32 characters.</summary>
    public string? PolicyTokenSecret { get; set; }

    /// <summary>During a rotation, tokens signed with this secret still verify (<c>BULWARK_POLICY_TOKEN_PREVIOUS_SECRET</c>).</summary>
    public string? PolicyTokenPreviousSecret { get; set; }

    /// <summary>Policy tokens one tenant may be issued per hour through the API (<c>BULWARK_RATE_LIMIT_POLICY_TOKENS_PER_HOUR</c>, NET-3).</summary>
    public int RateLimitPolicyTokensPerHour { get; set; } = 50;

    /// <summary>
    /// The runtime API's Unix socket (BOX-3), mounted into every sandbox; derived, not a setting:
    /// <c>{DataDir}/runtime/runtime.sock</c>.
    /// </summary>
    public string RuntimeSocketPath => Path.Combine(Path.GetFullPath(DataDir), "runtime", "runtime.sock");

    // ---- rate limits (NET-3) -----------------------------------------------------------------

    /// <summary>Job submissions per identity (tenant, subject) per minute (<c>BULWARK_RATE_LIMIT_JOBS_PER_MIN</c>).</summary>
    public int RateLimitJobsPerMin { get; set; } = 100;

    /// <summary>Events per identity per minute, user and runtime API together (<c>BULWARK_RATE_LIMIT_EVENTS_PER_MIN</c>).</summary>
    public int RateLimitEventsPerMin { get; set; } = 1000;

    /// <summary>Heavy reads (job lists, audit pages, log follows) per identity per minute (<c>BULWARK_RATE_LIMIT_HEAVY_PER_MIN</c>).</summary>
    public int RateLimitHeavyPerMin { get; set; } = 30;

    /// <summary>
    /// Minutes of allowance a quiet identity may spend at once (<c>BULWARK_RATE_LIMIT_BURST</c>, 1–60):
    /// each limit is counted over a sliding window of this many minutes at this many times the
    /// per-minute rate, so the average over the window never exceeds the per-minute rate.
    /// </summary>
    public int RateLimitBurst { get; set; } = 1;

    // ---- audit chain and retention (AUD-2, AUD-3) --------------------------------------------

    /// <summary>
    /// HMAC key of the audit chain (<c>BULWARK_AUDIT_KEY</c>), at least 32 bytes written as hex or
    /// base64; never in the database, never logged. Unset: SQLite keeps a generated one in
    /// <c>{DataDir}/audit.key</c>; PostgreSQL refuses to start (every node needs the same key).
    /// </summary>
    public string? AuditKey { get; set; }

    /// <summary>Days an audit entry is kept before the daily sweep cuts it behind a checkpoint (<c>BULWARK_RETENTION_AUDIT_DAYS</c>, at least 365).</summary>
    public int RetentionAuditDays { get; set; } = 365;

    /// <summary>Days a finished job (attempts, logs, variables) is kept (<c>BULWARK_RETENTION_JOBS_DAYS</c>).</summary>
    public int RetentionJobsDays { get; set; } = 90;

    // ---- egress guard (NET-1) ----------------------------------------------------------------

    /// <summary>Ports outbound requests may use (<c>BULWARK_EGRESS_ALLOWED_PORTS</c>, comma-separated).</summary>
    public string EgressAllowedPorts { get; set; } = "80,443";

    /// <summary>Largest response body an outbound request may return (<c>BULWARK_EGRESS_MAX_RESPONSE_BYTES</c>).</summary>
    public long EgressMaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>Whole-request time cap, redirects and body included (<c>BULWARK_EGRESS_TIMEOUT_SECONDS</c>).</summary>
    public int EgressTimeoutSeconds { get; set; } = 10;

    /// <summary>Development only (<c>BULWARK_EGRESS_ALLOW_LOOPBACK=1</c>, refused unless BULWARK_ENV=dev): loopback passes the guard.</summary>
    public bool EgressAllowLoopback { get; set; }

    /// <summary>Each tenant's hosts, from <c>BULWARK_EGRESS_ALLOW_&lt;TENANT&gt;</c>; none by default.</summary>
    public Core.Egress.EgressAllowLists EgressAllowLists { get; internal set; } = Core.Egress.EgressAllowLists.Empty;

    // ---- manifests and replay bundles (JOB-11, AUD-3) ------------------------------------------

    /// <summary>Days a run manifest is kept (<c>BULWARK_RETENTION_MANIFESTS_DAYS</c>).</summary>
    public int RetentionManifestsDays { get; set; } = 90;

    /// <summary>Days a replay bundle is kept (<c>BULWARK_RETENTION_REPLAY_BUNDLES_DAYS</c>).</summary>
    public int RetentionReplayBundlesDays { get; set; } = 30;

    // ---- events and triggers (JOB-9, JOB-10, AUD-3) ---------------------------------------------

    /// <summary>Days an ingested event is kept (<c>BULWARK_RETENTION_EVENTS_DAYS</c>).</summary>
    public int RetentionEventsDays { get; set; } = 90;

    /// <summary>
    /// Tenants whose data is kept for a time of their own, from
    /// <c>BULWARK_RETENTION_&lt;KIND&gt;_DAYS_&lt;TENANT&gt;</c>; none by default (AUD-3).
    /// </summary>
    public Core.Retention.RetentionOverrides RetentionOverrides { get; internal set; } = Core.Retention.RetentionOverrides.None;

    public string DatabasePath => string.IsNullOrWhiteSpace(Database)
        ? Path.Combine(DataDir, "bulwark.db")
        : Database;
}
