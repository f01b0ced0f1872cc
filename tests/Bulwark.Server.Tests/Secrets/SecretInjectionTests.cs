using System.Security.Cryptography;
using System.Text;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Secrets;

/// <summary>
/// SEC-1..4 end to end: a template's secret, from <c>BULWARK_SECRETS_DIR</c>, reaches the job as
/// a variable at launch, and nothing the job writes or the server keeps or logs holds its value.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecretInjectionTests : IDisposable
{
    // rt METHOD PATH [curl args…]: one runtime call through the socket.
    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -w ' %{http_code}\n' "http://runtime$p" "$@"; }

        """;

    private readonly string _secretsDir = Directory.CreateTempSubdirectory("bulwark-secrets-e2e-").FullName;
    private readonly string _value = "sv-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)) + "+/=x";

    public void Dispose() => Directory.Delete(_secretsDir, recursive: true);

    private void WriteSecret(string tenant, string name, string value)
    {
        Directory.CreateDirectory(Path.Join(_secretsDir, "dev", tenant));
        File.WriteAllText(Path.Join(_secretsDir, "dev", tenant, name), value + "\n");
    }

    private static string Template(string key, string script, string secrets = "[demo_key]") => $"""
        key: {key}
        kind: script
        command: ["/bin/sh", "-c", {System.Text.Json.JsonSerializer.Serialize(script)}]
        secrets: {secrets}
        limits: {"{"} timeout_seconds: 30 {"}"}
        retry: {"{"} max_attempts: 3, backoff_seconds: 0, max_backoff_seconds: 0 {"}"}
        """;

    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private static string Base64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    /// <summary>Every form of the value a leak could take: itself, its base64 (whole and as a stream fragment), percent-encoded.</summary>
    private string[] Forms => [_value, Base64(_value), Base64(_value)[..16], Uri.EscapeDataString(_value)];

    private void AssertNowhere(string where, string text)
    {
        foreach (var form in Forms)
        {
            Assert.False(text.Contains(form, StringComparison.Ordinal), $"{where} holds the secret (form '{form}'): {text}");
        }
    }

    [Fact] // SEC-1, SEC-2, SEC-4, JOB-6: issue 6 item 1's test — grep the database files after a run for the value
    public async Task Secret_reaches_the_job_as_a_variable_and_is_in_no_log_result_variable_database_file_or_server_log()
    {
        var serverLog = new CapturedLog();
        await using var server = await ServerFixture.StartAsync(o =>
        {
            o.SecretsDir = _secretsDir;
            o.AdditionalLogProvider = serverLog;
        });
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        WriteSecret("acme", "demo_key", _value);
        await server.ApplyTemplateAsync(Template("secret.echo", Rt + """
            echo "plain=$DEMO_KEY"
            echo "b64=$(printf %s "$DEMO_KEY" | base64 -w0)"
            echo "$DEMO_KEY" | base64
            printf 'split=%s' "$(printf %s "$DEMO_KEY" | cut -c1-8)"; sleep 1; printf '%s\n' "$(printf %s "$DEMO_KEY" | cut -c9-)"
            echo "err=$DEMO_KEY" >&2
            echo "sha=$(printf %s "$DEMO_KEY" | sha256sum | cut -c1-64)"
            rt POST /runtime/v1/log --data "{\"message\":\"rt=$DEMO_KEY\"}"
            rt PUT /runtime/v1/variables/copy --data "\"$DEMO_KEY\""
            rt PUT /runtime/v1/result --data "{\"k\":\"$DEMO_KEY\"}"
            """));

        var id = (await server.SubmitAsync(key, new { template = "secret.echo" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        // The job had the exact value (its hash proves it without showing it)…
        Assert.Contains($"sha={Sha256(_value)}\n", logs, StringComparison.Ordinal);
        // …and every path out shows redactions only.
        Assert.Contains("plain=[REDACTED]\n", logs, StringComparison.Ordinal);
        Assert.Contains("b64=[REDACTED]\n", logs, StringComparison.Ordinal);
        Assert.Contains("split=[REDACTED]\n", logs, StringComparison.Ordinal);
        Assert.Contains("err=[REDACTED]\n", logs, StringComparison.Ordinal);
        Assert.Contains("[info] rt=[REDACTED]\n", logs, StringComparison.Ordinal);
        AssertNowhere("the logs", logs);
        AssertNowhere("the job", job.GetRawText());
        Assert.Equal("""{"k":"[REDACTED]"}""", job.GetProperty("result").GetProperty("output").GetRawText());

        // SEC-1: not a byte of it in the database files.
        var databaseFiles = Directory.GetFiles(server.Options.DataDir, "bulwark.db*");
        Assert.Contains(databaseFiles, f => f.EndsWith("bulwark.db", StringComparison.Ordinal));
        foreach (var file in databaseFiles)
        {
            AssertNowhere(file, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
        }

        AssertNowhere("the server log", serverLog.Text);
        Assert.DoesNotContain(key, serverLog.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("bwc1.", serverLog.Text, StringComparison.Ordinal);
    }

    [Fact] // SEC-2: a missing secret fails the run for good, naming its path and never a value
    public async Task Missing_secret_fails_the_run_at_once_naming_its_path()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SecretsDir = _secretsDir);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        WriteSecret("acme", "demo_key", _value);
        var marker = "bulwark-missing-" + Guid.NewGuid().ToString("N");
        await server.ApplyTemplateAsync(Template("secret.missing", $"echo ran {marker}", "[demo_key, absent_key]"));

        var id = (await server.SubmitAsync(key, new { template = "secret.missing" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.LogsAsync(key, id);

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Equal("secret_missing", job.GetProperty("error_code").GetString());
        Assert.Contains("/dev/acme/absent_key", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(marker, logs, StringComparison.Ordinal); // nothing ran
        AssertNowhere("the job", job.GetRawText());
    }

    [Fact] // SEC-3: a secret read at launch is the current one
    public async Task Rotated_secret_file_is_what_the_next_run_reads()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SecretsDir = _secretsDir);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Template("secret.hash", """echo "sha=$(printf %s "$DEMO_KEY" | sha256sum | cut -c1-64)" """));
        var rotated = _value + "-rotated";

        WriteSecret("acme", "demo_key", _value);
        var first = (await server.SubmitAsync(key, new { template = "secret.hash" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, first, "succeeded");
        WriteSecret("acme", "demo_key", rotated);
        var second = (await server.SubmitAsync(key, new { template = "secret.hash" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, second, "succeeded");

        Assert.Contains($"sha={Sha256(_value)}\n", await server.LogsAsync(key, first), StringComparison.Ordinal);
        Assert.Contains($"sha={Sha256(rotated)}\n", await server.LogsAsync(key, second), StringComparison.Ordinal);
    }

    [Fact] // SEC-2, TEN-1: a tenant reads only its own path
    public async Task Another_tenants_secret_is_not_found()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SecretsDir = _secretsDir);
        var key = await server.NewTenantKeyAsync("globex", "jobs:read", "jobs:write");
        WriteSecret("acme", "demo_key", _value);
        await server.ApplyTemplateAsync(Template("secret.other", "echo \"v=$DEMO_KEY\""));

        var id = (await server.SubmitAsync(key, new { template = "secret.other" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("/dev/globex/demo_key", job.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact] // SEC-2, BOX-1: the value travels in the sandbox's private environment, never on a command line (ps shows those)
    public async Task Secret_is_on_no_command_line_of_the_sandbox_chain()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SecretsDir = _secretsDir);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        WriteSecret("acme", "demo_key", _value);
        var marker = "bulwark-cmdline-" + Guid.NewGuid().ToString("N");
        await server.ApplyTemplateAsync(Template("secret.sleep", $"sleep 5 # {marker}"));

        var id = (await server.SubmitAsync(key, new { template = "secret.sleep" })).GetProperty("id").GetString()!;
        await Processes.WaitUntilRunningAsync(marker);
        var withValue = Processes.WithMarker(_value);
        var chain = Processes.WithMarker(marker);
        await server.WaitForStateAsync(key, id, "succeeded");

        Assert.NotEmpty(chain);
        Assert.Empty(withValue);
    }
}
