using Microsoft.Extensions.Configuration;

namespace Bulwark.Server.Hosting;

/// <summary>
/// Loads <see cref="BulwarkOptions"/> (OPS-3) from, lowest to highest precedence: the file named by
/// <c>BULWARK_CONFIG</c> (else <c>./bulwark.json</c> when present), then <c>BULWARK_*</c> environment
/// variables. <c>BULWARK_DATA_DIR</c>, <c>BULWARK_DATABASE</c> and the other short names bind
/// straight to the option of that name; <c>BULWARK_SECTION__NAME</c> reaches nested sections.
/// </summary>
public static class BulwarkConfiguration
{
    private const string Prefix = "BULWARK_";

    /// <summary>Throws <see cref="BulwarkSettingsException"/> naming the first bad setting.</summary>
    public static BulwarkOptions Load(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var options = Bind(environment);
        Validate(options);
        return options;
    }

    /// <summary>
    /// The settings as given, not yet <see cref="Validate"/>d: <c>bulwark doctor</c> reports every
    /// problem rather than the first. Throws <see cref="BulwarkSettingsException"/> only for a value
    /// that cannot be bound at all.
    /// </summary>
    public static BulwarkOptions Bind(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = environment ?? ReadProcessEnvironment();
        var builder = new ConfigurationBuilder();
        var file = env.GetValueOrDefault(Prefix + "CONFIG");
        if (!string.IsNullOrWhiteSpace(file))
        {
            if (!File.Exists(file))
            {
                throw new BulwarkSettingsException($"BULWARK_CONFIG names '{file}', which does not exist.");
            }

            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        else if (File.Exists("bulwark.json"))
        {
            builder.AddJsonFile(Path.GetFullPath("bulwark.json"), optional: true);
        }

        builder.AddInMemoryCollection(ToConfigurationKeys(env));
        var options = new BulwarkOptions();
        try
        {
            builder.Build().Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new BulwarkSettingsException($"A setting has a value of the wrong type: {e.InnerException?.Message ?? e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new BulwarkSettingsException($"The configuration file could not be read: {e.Message}");
        }

        try
        {
            options.RoleScopes = Core.Identity.RoleScopes.Parse(env);
            options.EgressAllowLists = Core.Egress.EgressAllowLists.Parse(env);
            options.RetentionOverrides = Core.Retention.RetentionOverrides.Parse(env);
        }
        catch (FormatException e)
        {
            throw new BulwarkSettingsException(e.Message);
        }

        return options;
    }

    /// <summary>Every problem is a setting the operator must fix before the server may start.</summary>
    public static void Validate(BulwarkOptions o)
    {
        Require(!string.IsNullOrWhiteSpace(o.DataDir), "BULWARK_DATA_DIR must not be empty.");
        // OPS-1: the owner login migrates a PostgreSQL schema; with SQLite there is no one to hand it to.
        Require(string.IsNullOrWhiteSpace(o.DatabaseOwner) || Storage.Postgres.PostgresConnectionStrings.IsPostgres(o.Database),
            "BULWARK_DATABASE_OWNER is set, but BULWARK_DATABASE does not name a PostgreSQL database (Host=… or postgres://…).");
        Require(string.IsNullOrWhiteSpace(o.DatabaseOwner) || Storage.Postgres.PostgresConnectionStrings.IsPostgres(o.DatabaseOwner),
            "BULWARK_DATABASE_OWNER must be a PostgreSQL connection string (Host=… or postgres://…).");
        Require(o.Sandbox is "bwrap" or "none", $"BULWARK_SANDBOX must be 'bwrap' or 'none', not '{o.Sandbox}'.");
        // BOX-5: unconfined runs are a development convenience, never something a deployment drifts into.
        Require(o.Sandbox != "none" || o.Env == "dev",
            $"BULWARK_SANDBOX=none runs jobs unconfined and is allowed only with BULWARK_ENV=dev (this is '{o.Env}').");
        // SEC-2: BULWARK_ENV is the first part of every secret path, a directory name under BULWARK_SECRETS_DIR.
        Require(Core.Tenancy.Identifiers.IsValid(o.Env) && o.Env[0] != '.',
            $"BULWARK_ENV must match ^[a-zA-Z0-9_.:-]{{1,100}}$ and not start with a dot (this is '{o.Env}').");
        Require(string.IsNullOrWhiteSpace(o.SecretsDir) || Directory.Exists(o.SecretsDir),
            $"BULWARK_SECRETS_DIR names '{o.SecretsDir}', which is not a directory.");
        Require(o.SandboxUid > 0 && o.SandboxGid > 0, "BULWARK_SANDBOX_UID and BULWARK_SANDBOX_GID must be unprivileged (> 0).");
        Require(o.Workers is >= 1 and <= 256, "BULWARK_WORKERS must be between 1 and 256.");
        Require(o.ClaimBatch is >= 1 and <= 256, "BULWARK_CLAIM_BATCH must be between 1 and 256.");
        Require(o.LeaseSeconds is >= 2 and <= 3600, "BULWARK_LEASE_SECONDS must be between 2 and 3600.");
        Require(o.HeartbeatSeconds >= 1 && o.HeartbeatSeconds * 2 <= o.LeaseSeconds,
            "BULWARK_HEARTBEAT_SECONDS must be at least 1 and at most half of BULWARK_LEASE_SECONDS.");
        Require(o.ReaperSeconds is >= 1 and <= 3600, "BULWARK_REAPER_SECONDS must be between 1 and 3600.");
        // AUTH-5: the bound on how long a revocation written elsewhere takes to hold on this node.
        Require(o.RevocationRefreshSeconds is >= 1 and <= 60, "BULWARK_REVOCATION_REFRESH_SECONDS must be between 1 and 60.");
        // OPS-2: the queue-depth gauge reads the store this often; never in the scrape itself.
        Require(o.MetricsSampleSeconds is >= 1 and <= 3600, "BULWARK_METRICS_SAMPLE_SECONDS must be between 1 and 3600.");
        Require(o.PollMilliseconds is >= 10 and <= 60_000, "BULWARK_POLL_MILLISECONDS must be between 10 and 60000.");
        Require(o.MaxBodyBytes is >= 1024 and <= 64 * 1024 * 1024, "BULWARK_MAX_BODY_BYTES must be between 1024 and 67108864.");
        Require(Uri.TryCreate(o.Urls.Split(';')[0], UriKind.Absolute, out _), $"BULWARK_URLS '{o.Urls}' is not a URL.");
        // AUTHZ-4, AUTH-7: a guessable worker token would hand every tenant's jobs to whoever guesses it.
        Require(string.IsNullOrEmpty(o.WorkerToken) || o.WorkerToken.Length >= 32,
            "BULWARK_WORKER_TOKEN must be at least 32 characters (or unset to disable the worker API).");
        // AUTHZ-4, SEC-3: a short policy secret can be guessed offline from one token; a missing one
        // with action jobs on and tokens required would leave every action template unreachable or unguarded.
        Policy.PolicySettings.Validate(o);
        // AUTH-1, AUTH-3, AUTHZ-4: auth modes, `none` on loopback only, JWT secret length and limits.
        if (Auth.AuthModes.FirstProblem(o) is { } authProblem)
        {
            throw new BulwarkSettingsException(authProblem);
        }

        Auth.Mtls.MtlsSettings.Validate(o);
        // AUD-2: the audit key's form (never its value).
        Operations.AuditSettings.Validate(o);
        // AUD-3: every retention window, node-wide and per tenant.
        Operations.RetentionSettings.Validate(o);
        // NET-4: HSTS, CORS origins, and a server certificate that is readable and not expired.
        Transport.TransportSettings.Validate(o);
        // NET-3: every limit at least 1 (a limit of 0 would be an outage, not a limit).
        RateLimits.RateLimitSettings.Validate(o);
        // FLAG-1, FLAG-2: the flags' refresh bound; payload validation off in development only.
        Flags.FlagSettings.Validate(o);
        // NET-1: ports, caps, and loopback egress in development only.
        Egress.EgressSettings.Validate(o);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new BulwarkSettingsException(message);
        }
    }

    private static Dictionary<string, string?> ToConfigurationKeys(IReadOnlyDictionary<string, string?> env)
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in env)
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name == Prefix + "CONFIG")
            {
                continue;
            }

            // BULWARK_DATA_DIR → DataDir; BULWARK_SECTION__NAME → Section:Name.
            var key = string.Join(':', name[Prefix.Length..].Split("__").Select(part => part.Replace("_", "", StringComparison.Ordinal)));
            keys[key] = IsSwitch(key) ? value switch { "1" => "true", "0" => "false", _ => value } : value;
        }

        return keys;
    }

    // API.md writes switches as 1/0 (BULWARK_ACTION_JOBS_ENABLED=1); the binder only knows true/false.
    private static readonly HashSet<string> Switches = typeof(BulwarkOptions).GetProperties()
        .Where(p => p.PropertyType == typeof(bool))
        .Select(p => p.Name)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static bool IsSwitch(string key) => Switches.Contains(key);

    private static Dictionary<string, string?> ReadProcessEnvironment()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            env[(string)entry.Key] = entry.Value as string;
        }

        return env;
    }
}
