using Bulwark.Core.Flags;
using Bulwark.Server.Tests.Cli;
using Bulwark.Server.Tests.Runtime;
using Bulwark.Server.Tests.Transport;
using Bulwark.Storage.Tests.Postgres;

namespace Bulwark.Server.Tests.Doctor;

/// <summary>
/// FLAG-3, seed 000's smoke test: <c>bulwark doctor</c> prints one line per check, every flag, and
/// last exactly <c>safe to deploy</c> (exit 0) or <c>NOT safe to deploy: names</c> (exit 1), and
/// never a secret's value.
/// </summary>
public sealed class DoctorTests : IDisposable
{
    private const string Unsafe = "NOT safe to deploy: ";

    private static readonly string AuditKeyHex = new('a', 64);

    private readonly CliHarness _cli = new();

    public DoctorTests()
    {
        // As ServerFixture does: a job uid of our own, so the sandbox suite's fork bombs (uid 65534),
        // running at the same time, cannot fail the sandbox probe. Nothing else is configured.
        _cli.Environment["BULWARK_SANDBOX_UID"] = "61000";
        _cli.Environment["BULWARK_SANDBOX_GID"] = "61000";
    }

    public void Dispose() => _cli.Dispose();

    private static string Verdict(CliRun run) => run.StdoutLines[^1];

    private static string[] FailedNames(CliRun run)
    {
        var verdict = Verdict(run);
        Assert.StartsWith(Unsafe, verdict, StringComparison.Ordinal);
        return verdict[Unsafe.Length..].Split(", ");
    }

    private static string CheckLine(CliRun run, string name) =>
        Assert.Single(run.StdoutLines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var n, ..] && n == name + ":");

    [Fact] // FLAG-3: a fresh checkout's defaults on loopback, with bwrap installed, are safe to deploy
    public async Task Default_configuration_is_safe_to_deploy()
    {
        var run = await _cli.OperatorAsync("doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("safe to deploy", Verdict(run));
        Assert.Empty(run.Stderr);
        foreach (var name in new[] { "configuration", "auth_mode", "secrets", "policy_tokens", "security_validation", "sandbox", "tls", "cors", "trusted_proxies", "store", "egress_loopback" })
        {
            Assert.StartsWith("ok ", CheckLine(run, name), StringComparison.Ordinal);
        }

        // BULWARK_ENV=dev is worth a warning, not a refusal.
        Assert.StartsWith("warn ", CheckLine(run, "env"), StringComparison.Ordinal);
    }

    [Fact] // FLAG-3: every flag with its configured, stored and effective value
    public async Task Every_flag_is_listed_with_configured_store_and_effective_values()
    {
        _cli.Environment["BULWARK_EVENTS_ENABLED"] = "1";

        var run = await _cli.OperatorAsync("doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(run.StdoutLines, l => l.StartsWith("FLAG ", StringComparison.Ordinal) && l.Contains("EFFECTIVE", StringComparison.Ordinal));
        foreach (var flag in FeatureFlags.All)
        {
            var row = Assert.Single(run.StdoutLines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] == flag.Name);
            var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var configured = flag == FeatureFlags.Events || flag.Default;
            Assert.Equal(configured ? "on" : "off", cells[1]);
            Assert.Equal(configured ? "on" : "off", cells[3]);
        }
    }

    public static TheoryData<string, string[], string[]> FailingSettings() => new()
    {
        // check name, the settings (NAME=value), and values that must never be printed
        { "auth_mode", ["BULWARK_AUTH_MODE=none"], [] },
        { "secrets", ["BULWARK_JWT_SECRET=jwt-secret-too-short-4711"], ["jwt-secret-too-short-4711"] },
        { "secrets", ["BULWARK_POLICY_TOKEN_SECRET=policy-secret-too-short-4712"], ["policy-secret-too-short-4712"] },
        { "secrets", ["BULWARK_WORKER_TOKEN=worker-token-too-short-4713"], ["worker-token-too-short-4713"] },
        { "secrets", ["BULWARK_AUDIT_KEY=audit-key-not-hex-or-base64-4714!"], ["audit-key-not-hex-or-base64-4714"] },
        { "policy_tokens", ["BULWARK_ACTION_JOBS_ENABLED=1", "BULWARK_REQUIRE_POLICY_TOKENS=0"], [] },
        { "security_validation", ["BULWARK_SECURITY_VALIDATION_ENABLED=0"], [] },
        { "sandbox", ["BULWARK_SANDBOX=none"], [] },
        { "sandbox", ["BULWARK_SANDBOX_BWRAP_PATH=/nonexistent/bwrap"], [] },
        { "tls", ["BULWARK_URLS=http://0.0.0.0:8080"], [] },
        { "tls", ["BULWARK_URLS=http://127.0.0.1:8080;http://192.0.2.10:8080"], [] },
        { "cors", ["BULWARK_CORS_ORIGINS=*"], [] },
        { "cors", ["BULWARK_CORS_ORIGINS=http://app.example.com"], [] },
        { "trusted_proxies", ["BULWARK_TRUSTED_PROXIES=0.0.0.0/0"], [] },
        { "trusted_proxies", ["BULWARK_TRUSTED_PROXIES=10.0.0.1,::/0"], [] },
        { "trusted_proxies", ["BULWARK_TRUSTED_PROXIES=10.0.0.0/4"], [] },
        { "egress_loopback", ["BULWARK_EGRESS_ALLOW_LOOPBACK=1"], [] },
        { "store", ["BULWARK_DATABASE=Host=127.0.0.1;Port=1;Username=bulwark;Password=db-password-4715;Timeout=2", "BULWARK_AUDIT_KEY=" + AuditKeyHex], ["db-password-4715", AuditKeyHex] },
    };

    [Theory] // FLAG-3: each failed check is a FAIL line, exit 1, named in the last line; no secret value printed
    [MemberData(nameof(FailingSettings))]
    public async Task A_failed_check_makes_the_verdict_not_safe_and_names_it(string check, string[] settings, string[] secrets)
    {
        foreach (var setting in settings)
        {
            var at = setting.IndexOf('=', StringComparison.Ordinal);
            _cli.Environment[setting[..at]] = setting[(at + 1)..];
        }

        var run = await _cli.OperatorAsync("doctor");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(check, FailedNames(run));
        Assert.StartsWith("FAIL ", CheckLine(run, check), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, run.Stdout + run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact] // FLAG-3: a value that cannot even be bound is a FAIL line and a verdict, not a crash
    public async Task An_unbindable_setting_is_a_failed_configuration_check()
    {
        _cli.Environment["BULWARK_WORKERS"] = "many";

        var run = await _cli.OperatorAsync("doctor");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["configuration"], FailedNames(run));
        Assert.StartsWith("FAIL ", CheckLine(run, "configuration"), StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    [Fact] // FLAG-3: a certificate close to its end is a warning; an expired one a failure (NET-4)
    public async Task A_certificate_expiring_within_14_days_warns_and_an_expired_one_fails()
    {
        using var soon = new SelfSignedServerCertificate(notAfter: DateTimeOffset.UtcNow.AddDays(5));
        using var expired = new SelfSignedServerCertificate(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        _cli.Environment["BULWARK_URLS"] = "https://127.0.0.1:8443";
        _cli.Environment["BULWARK_TLS_CERTIFICATE_PATH"] = soon.CertificatePath;
        _cli.Environment["BULWARK_TLS_CERTIFICATE_KEY_PATH"] = soon.KeyPath;

        var warned = await _cli.OperatorAsync("doctor");

        Assert.True(warned.ExitCode == 0, warned.ToString());
        Assert.StartsWith("warn ", CheckLine(warned, "tls"), StringComparison.Ordinal);
        Assert.Equal("safe to deploy", Verdict(warned));

        _cli.Environment["BULWARK_TLS_CERTIFICATE_PATH"] = expired.CertificatePath;
        _cli.Environment["BULWARK_TLS_CERTIFICATE_KEY_PATH"] = expired.KeyPath;
        var failed = await _cli.OperatorAsync("doctor");

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("tls", FailedNames(failed));
        Assert.Contains("expired", CheckLine(failed, "tls"), StringComparison.Ordinal);
    }

    [Fact] // FLAG-3: a deployment's own environment name removes the warning
    public async Task A_named_environment_is_ok()
    {
        _cli.Environment["BULWARK_ENV"] = "prod";

        var run = await _cli.OperatorAsync("doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("ok ", CheckLine(run, "env"), StringComparison.Ordinal);
    }

    [Fact] // AUD-1: doctor opened the store, so its run is audited; nothing else is written
    public async Task A_doctor_run_is_audited_with_its_verdict_and_the_chain_stays_whole()
    {
        _cli.Environment["BULWARK_SECURITY_VALIDATION_ENABLED"] = "0";
        Assert.Equal(1, (await _cli.OperatorAsync("doctor")).ExitCode);
        var database = Path.Combine(_cli.DataDir, "bulwark.db");

        Assert.Equal(1, await RuntimeApiClient.CountAsync(database,
            "SELECT count(*) FROM audit_log WHERE action = 'doctor.run' AND target = 'unsafe' AND detail_json LIKE '%security_validation%'"));
        Assert.Equal(0, await RuntimeApiClient.CountAsync(database, "SELECT count(*) FROM tenants"));
        var verify = await _cli.OperatorAsync("audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact] // FLAG-3, OPS-1: on PostgreSQL the store is opened as operator commands open it and its flags are read
    public async Task On_PostgreSQL_the_store_is_reachable_and_its_flag_values_are_listed()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        _cli.Environment["BULWARK_DATABASE"] = database.AppConnectionString;
        _cli.Environment["BULWARK_DATABASE_OWNER"] = database.OwnerConnectionString;
        _cli.Environment["BULWARK_AUDIT_KEY"] = AuditKeyHex;
        Assert.Equal(0, (await _cli.OperatorAsync("flags", "set", "events", "off")).ExitCode);

        var run = await _cli.OperatorAsync("doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("ok ", CheckLine(run, "store"), StringComparison.Ordinal);
        var events = Assert.Single(run.StdoutLines, l => l.StartsWith("events ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["events", "off", "off", "off"], events[..4]);
        Assert.DoesNotContain("Host=", run.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AuditKeyHex, run.Stdout, StringComparison.Ordinal);
    }

    [Fact] // FLAG-3, AUTHZ-4: a store the server would refuse (application login owning the schema) is a FAIL line
    public async Task On_PostgreSQL_an_unsafe_application_login_fails_the_store_check()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        _cli.Environment["BULWARK_DATABASE"] = database.OwnerConnectionString;
        _cli.Environment["BULWARK_DATABASE_OWNER"] = database.OwnerConnectionString;
        _cli.Environment["BULWARK_AUDIT_KEY"] = AuditKeyHex;

        var run = await _cli.OperatorAsync("doctor");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("store", FailedNames(run));
        Assert.DoesNotContain("Host=", run.Stdout + run.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
