using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Flags;
using Bulwark.Core.Tokens;
using Bulwark.Server.Hosting;
using Bulwark.Server.Transport;
using Bulwark.Storage.Postgres;

namespace Bulwark.Cli.Doctor;

/// <summary>
/// The checks of <c>bulwark doctor</c> made on the settings alone (FLAG-3). Stricter than the
/// start-up validation: a server may start with these, but should not be deployed so. A sentence
/// names settings, never their values when they are secret.
/// </summary>
internal static class ConfigurationChecks
{
    /// <summary>The shortest secret accepted for the JWT HMAC secret and the worker token (AUTHZ-4).</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>Below this many days left a certificate is renewed now, before an outage renews it for you.</summary>
    public const int CertificateWarningDays = 14;

    public static DoctorCheck Configuration(BulwarkOptions o)
    {
        try
        {
            BulwarkConfiguration.Validate(o);
            return DoctorCheck.Ok("configuration", "Every setting is valid; the server would start with it.");
        }
        catch (BulwarkSettingsException e)
        {
            return DoctorCheck.Fail("configuration", e.Message);
        }
    }

    public static DoctorCheck AuthMode(BulwarkOptions o)
    {
        var modes = (o.AuthMode ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (modes.Length == 0 || modes.Any(m => string.Equals(m, "none", StringComparison.OrdinalIgnoreCase)))
        {
            return DoctorCheck.Fail("auth_mode", "BULWARK_AUTH_MODE=none makes every caller the default tenant's admin; use api_key, jwt or mtls.");
        }

        return DoctorCheck.Ok("auth_mode", $"Every request needs a credential ({string.Join(", ", modes)}).");
    }

    public static DoctorCheck Secrets(BulwarkOptions o, FlagValues flags)
    {
        var problems = new List<string>();
        if (!string.IsNullOrEmpty(o.JwtSecret) && Encoding.UTF8.GetByteCount(o.JwtSecret) < MinimumSecretLength)
        {
            problems.Add($"BULWARK_JWT_SECRET is shorter than {MinimumSecretLength} bytes");
        }

        if (!string.IsNullOrWhiteSpace(o.PolicyTokenSecret) && o.PolicyTokenSecret.Length < PolicyToken.MinSecretLength)
        {
            problems.Add($"BULWARK_POLICY_TOKEN_SECRET is shorter than {PolicyToken.MinSecretLength} characters");
        }

        if (!string.IsNullOrWhiteSpace(o.PolicyTokenPreviousSecret) && o.PolicyTokenPreviousSecret.Length < PolicyToken.MinSecretLength)
        {
            problems.Add($"BULWARK_POLICY_TOKEN_PREVIOUS_SECRET is shorter than {PolicyToken.MinSecretLength} characters");
        }

        if (string.IsNullOrWhiteSpace(o.PolicyTokenSecret)
            && flags.Effective(FeatureFlags.ActionJobs) && flags.Effective(FeatureFlags.RequirePolicyTokens))
        {
            problems.Add("BULWARK_POLICY_TOKEN_SECRET is not set, yet action jobs are on and need policy tokens");
        }

        if (!string.IsNullOrEmpty(o.WorkerToken) && o.WorkerToken.Length < MinimumSecretLength)
        {
            problems.Add($"BULWARK_WORKER_TOKEN is shorter than {MinimumSecretLength} characters");
        }

        if (!string.IsNullOrWhiteSpace(o.AuditKey) && !IsAuditKey(o.AuditKey))
        {
            problems.Add("BULWARK_AUDIT_KEY is not hex or base64 of at least 32 bytes");
        }

        if (string.IsNullOrWhiteSpace(o.AuditKey) && PostgresConnectionStrings.IsPostgres(o.Database))
        {
            problems.Add("BULWARK_AUDIT_KEY is not set, and every PostgreSQL node must seal the audit chain with the same key");
        }

        return problems.Count > 0
            ? DoctorCheck.Fail("secrets", string.Join("; ", problems) + ".")
            : DoctorCheck.Ok("secrets", "Every secret that is set is long enough, and the audit key has its form (values not shown).");
    }

    public static DoctorCheck PolicyTokens(FlagValues flags)
    {
        if (!flags.Effective(FeatureFlags.ActionJobs))
        {
            return DoctorCheck.Ok("policy_tokens", "Action jobs are off.");
        }

        return flags.Effective(FeatureFlags.RequirePolicyTokens)
            ? DoctorCheck.Ok("policy_tokens", "Action jobs are on, each behind a policy token.")
            : DoctorCheck.Fail("policy_tokens",
                "Action jobs are on with require_policy_tokens off: any caller with a template's scope can start an action; turn BULWARK_REQUIRE_POLICY_TOKENS back on.");
    }

    public static DoctorCheck SecurityValidation(FlagValues flags) =>
        flags.Effective(FeatureFlags.SecurityValidation)
            ? DoctorCheck.Ok("security_validation", "Payload validation is on.")
            : DoctorCheck.Fail("security_validation", "Payload validation is off (BULWARK_SECURITY_VALIDATION_ENABLED=0); turn it back on.");

    public static DoctorCheck Tls(BulwarkOptions o, DateTimeOffset now)
    {
        var plain = new List<string>();
        var https = false;
        foreach (var text in o.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var url = Uri.TryCreate(text, UriKind.Absolute, out var parsed) ? parsed : null;
            https |= url?.Scheme == "https";
            if (url?.Scheme != "https" && !IsLoopback(url))
            {
                plain.Add(text);
            }
        }

        if (plain.Count > 0)
        {
            return DoctorCheck.Fail("tls",
                $"BULWARK_URLS serves plain http beyond loopback ({string.Join(", ", plain)}); listen on https:// with BULWARK_TLS_CERTIFICATE_PATH, or on loopback behind a TLS proxy.");
        }

        if (string.IsNullOrWhiteSpace(o.TlsCertificatePath))
        {
            return https
                ? DoctorCheck.Fail("tls", "BULWARK_URLS has an https:// address but BULWARK_TLS_CERTIFICATE_PATH is not set.")
                : DoctorCheck.Ok("tls", "Every listen address is loopback.");
        }

        try
        {
            using var certificate = ServerCertificateFile.Load(o, now);
            var expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var days = (int)Math.Floor((expires - now).TotalDays);
            var until = expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return days < CertificateWarningDays
                ? DoctorCheck.Warn("tls", $"The server certificate expires on {until}, in {days} days; renew it now.")
                : DoctorCheck.Ok("tls", $"TLS 1.2+ with a server certificate valid until {until}.");
        }
        catch (BulwarkSettingsException e)
        {
            return DoctorCheck.Fail("tls", e.Message);
        }
    }

    public static DoctorCheck Cors(BulwarkOptions o)
    {
        CorsOrigins origins;
        try
        {
            origins = CorsOrigins.Parse(o.CorsOrigins);
        }
        catch (BulwarkSettingsException e)
        {
            return DoctorCheck.Fail("cors", e.Message);
        }

        if (origins.IsEmpty)
        {
            return DoctorCheck.Ok("cors", "No browser origin may call the API (BULWARK_CORS_ORIGINS is empty).");
        }

        var plain = origins.All.Where(origin => origin.StartsWith("http://", StringComparison.Ordinal) && !IsLoopback(new Uri(origin))).ToList();
        return plain.Count > 0
            ? DoctorCheck.Fail("cors", $"BULWARK_CORS_ORIGINS allows plain http origins beyond loopback ({string.Join(", ", plain)}); a network attacker can act as them.")
            : DoctorCheck.Ok("cors", $"Only {string.Join(", ", origins.All)} may call the API from a browser.");
    }

    public static DoctorCheck TrustedProxies(BulwarkOptions o)
    {
        var entries = (o.TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            return DoctorCheck.Ok("trusted_proxies", "No proxy's identity headers are believed.");
        }

        var wide = new List<string>();
        foreach (var entry in entries)
        {
            if (!IPNetwork.TryParse(entry, out var network))
            {
                if (!IPAddress.TryParse(entry, out _))
                {
                    wide.Add(entry);
                }

                continue;
            }

            if (IsVeryWide(network))
            {
                wide.Add(entry);
            }
        }

        return wide.Count > 0
            ? DoctorCheck.Fail("trusted_proxies",
                $"BULWARK_TRUSTED_PROXIES trusts identity headers from whole networks ({string.Join(", ", wide)}); list the ingress addresses only.")
            : DoctorCheck.Ok("trusted_proxies", $"Identity headers are believed from {string.Join(", ", entries)} only.");
    }

    /// <summary>NET-1: the egress guard's loopback allowance is for a developer's machine only.</summary>
    public static DoctorCheck EgressLoopback(BulwarkOptions o) =>
        o.EgressAllowLoopback
            ? DoctorCheck.Fail("egress_loopback", "BULWARK_EGRESS_ALLOW_LOOPBACK is on: jobs' outbound requests may reach this host's own services; turn it off.")
            : DoctorCheck.Ok("egress_loopback", "Outbound requests cannot reach this host's loopback.");

    public static DoctorCheck Environment(BulwarkOptions o) =>
        o.Env == "dev"
            ? DoctorCheck.Warn("env", "BULWARK_ENV=dev: set the deployment's own name (staging, prod) so secrets resolve from its path.")
            : DoctorCheck.Ok("env", $"BULWARK_ENV={o.Env}.");

    private static bool IsAuditKey(string text)
    {
        try
        {
            AuditKey.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsLoopback(Uri? url)
    {
        if (url is null)
        {
            return false;
        }

        var host = url.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    // Wider than a /8 (IPv4) or a /32 (IPv6) is an internet's worth of addresses, not an ingress.
    private static bool IsVeryWide(IPNetwork network)
    {
        var address = network.BaseAddress;
        var prefix = network.PrefixLength;
        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            return prefix - 96 < 8;
        }

        return address.AddressFamily == AddressFamily.InterNetwork ? prefix < 8 : prefix < 32;
    }
}
