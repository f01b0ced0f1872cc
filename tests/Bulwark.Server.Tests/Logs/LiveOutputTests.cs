using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Logs;

/// <summary>
/// A script job's stdout and stderr reach its logs while it runs (JOB-6, issue 6 item 7), on a
/// real server with real bubblewrap and SQLite: a follower sees a line before the job ends, and
/// the live path redacts exactly as the whole-buffer one (SEC-4), also for a secret written in
/// two halves that land in different chunks and flushes, and at the output cap (BOX-2).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LiveOutputTests : IDisposable
{
    // Prints a line, waits (bounded) for a file the test drops into its work dir, prints another.
    private static readonly string Waiter = TemplateFiles.Script("live.waiter", """
        echo first
        echo warming >&2
        i=0; while [ ! -e /work/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
        echo second
        """, timeoutSeconds: 60);

    private readonly string _secretsDir = Directory.CreateTempSubdirectory("bulwark-live-secrets-").FullName;
    private readonly string _value = "lv-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)) + "+/=x";

    public void Dispose() => Directory.Delete(_secretsDir, recursive: true);

    [Fact] // JOB-6: the first line is streamed while the job still runs, then the second, then the end
    public async Task Follower_sees_stdout_while_the_script_runs_then_the_rest_and_the_end()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(Waiter);
        var id = (await server.SubmitAsync(key, new { template = "live.waiter" })).GetProperty("id").GetString()!;

        using var stream = await EventStream.OpenAsync(server.Http, id, key);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        var early = new List<(string Stream, string Text)>();
        while (!early.Any(e => e.Stream == "stdout"))
        {
            var next = await stream.NextAsync();
            Assert.NotNull(next);
            Assert.Equal("log", next.Event);
            early.Add(Entry(next));
        }

        // Checked by the job's state, not by a clock: the job waits for us, so it has not ended.
        Assert.Equal("running", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
        Assert.Equal("first\n", early.Single(e => e.Stream == "stdout").Text);

        File.WriteAllText(Path.Combine(RunDirectory(server, id), "go"), "");
        var rest = await stream.ReadToEndAsync();
        Assert.Equal("""{"state":"succeeded"}""", rest[^1].Data);
        var all = early.Concat(rest[..^1].Select(Entry)).ToList();
        Assert.Equal("first\nsecond\n", string.Concat(all.Where(e => e.Stream == "stdout").Select(e => e.Text)));
        Assert.Equal("warming\n", string.Concat(all.Where(e => e.Stream == "stderr").Select(e => e.Text)));

        // The plain view shows the same, every line whole.
        var logs = await server.LogsAsync(key, id);
        Assert.Contains("first\n", logs, StringComparison.Ordinal);
        Assert.Contains("second\n", logs, StringComparison.Ordinal);
    }

    [Fact] // SEC-4, SEC-1, JOB-6: a secret printed in two halves across flushes is redacted, and in no database byte
    public async Task Secret_split_across_live_flushes_is_redacted_and_never_stored()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SecretsDir = _secretsDir);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        WriteSecret("acme", "demo_key", _value);
        await server.ApplyTemplateAsync(SecretTemplate("live.split", """
            echo before
            printf 'head=%s' "$(printf %s "$DEMO_KEY" | cut -c1-12)"
            sleep 1
            printf '%s\n' "$(printf %s "$DEMO_KEY" | cut -c13-)"
            printf 'b64=%s' "$(printf %s "$DEMO_KEY" | base64 -w0 | cut -c1-10)"
            sleep 1
            printf '%s\n' "$(printf %s "$DEMO_KEY" | base64 -w0 | cut -c11-)"
            echo "err=$DEMO_KEY" >&2
            echo after
            """, "limits: { timeout_seconds: 30 }"));
        var id = (await server.SubmitAsync(key, new { template = "live.split" })).GetProperty("id").GetString()!;

        using var stream = await EventStream.OpenAsync(server.Http, id, key);
        var first = await stream.NextAsync();
        Assert.NotNull(first);
        Assert.Equal(("stdout", "before\n"), Entry(first));
        Assert.Equal("running", (await server.GetJobAsync(key, id)).GetProperty("state").GetString());
        var rest = await stream.ReadToEndAsync();
        Assert.Equal("""{"state":"succeeded"}""", rest[^1].Data);

        var entries = new[] { Entry(first) }.Concat(rest[..^1].Select(Entry)).ToList();
        Assert.Equal(
            "before\nhead=[REDACTED]\nb64=[REDACTED]\nafter\n",
            string.Concat(entries.Where(e => e.Stream == "stdout").Select(e => e.Text)));
        Assert.Equal("err=[REDACTED]\n", string.Concat(entries.Where(e => e.Stream == "stderr").Select(e => e.Text)));
        // Live: stdout was stored in several entries, not once at the end.
        Assert.True(entries.Count(e => e.Stream == "stdout") >= 2, string.Join(" | ", entries));

        var logs = await server.LogsAsync(key, id);
        AssertNowhere("the logs", logs);
        foreach (var file in Directory.GetFiles(server.Options.DataDir, "bulwark.db*"))
        {
            AssertNowhere(file, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
        }
    }

    [Fact] // SEC-4, BOX-2, JOB-6: output cut at output_kb inside a secret ends redacted on the live path as before
    public async Task Output_cut_at_the_cap_inside_a_secret_is_redacted_and_the_run_ends_output_limit()
    {
        await using var server = await ServerFixture.StartAsync(o => o.SecretsDir = _secretsDir);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        WriteSecret("acme", "demo_key", _value);
        // 1000 bytes of filler (stored live), then the value, cut by the 1 KiB cap after 24 of its characters.
        await server.ApplyTemplateAsync(SecretTemplate("live.cut", """
            printf '%0999d\n' 0
            sleep 1
            printf '%s' "$DEMO_KEY"
            yes
            """, "limits: { timeout_seconds: 30, output_kb: 1 }"));
        var id = (await server.SubmitAsync(key, new { template = "live.cut" })).GetProperty("id").GetString()!;

        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        Assert.Equal("output_limit", job.GetProperty("error_code").GetString());
        var logs = await server.LogsAsync(key, id);
        Assert.EndsWith("\n[REDACTED]\n", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_value[..12], logs, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(server.Options.DataDir, "bulwark.db*"))
        {
            Assert.DoesNotContain(_value[..12], Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }

    private static (string Stream, string Text) Entry(WireEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        return (data.RootElement.GetProperty("stream").GetString()!, data.RootElement.GetProperty("text").GetString()!);
    }

    /// <summary>The run's work dir on the host (mounted at /work inside), once the run has it.</summary>
    private static string RunDirectory(ServerFixture server, string id)
    {
        var runs = Path.Combine(server.Options.DataDir, "runs");
        var found = Directory.Exists(runs) ? Directory.GetDirectories(runs, $"{id}-1-*") : [];
        Assert.True(found.Length == 1, $"run dir of {id}: {string.Join(", ", found)}");
        return found[0];
    }

    private void WriteSecret(string tenant, string name, string value)
    {
        Directory.CreateDirectory(Path.Join(_secretsDir, "dev", tenant));
        File.WriteAllText(Path.Join(_secretsDir, "dev", tenant, name), value + "\n");
    }

    private static string SecretTemplate(string key, string script, string limits) => $"""
        key: {key}
        kind: script
        command: ["/bin/sh", "-c", {JsonSerializer.Serialize(script)}]
        secrets: [demo_key]
        {limits}
        retry: {"{"} max_attempts: 1, backoff_seconds: 0, max_backoff_seconds: 0 {"}"}
        """;

    private static string Base64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private void AssertNowhere(string where, string text)
    {
        foreach (var form in new[] { _value, Base64(_value), Base64(_value)[..16], Uri.EscapeDataString(_value), _value[..12] })
        {
            Assert.False(text.Contains(form, StringComparison.Ordinal), $"{where} holds the secret (form '{form}')");
        }
    }
}
