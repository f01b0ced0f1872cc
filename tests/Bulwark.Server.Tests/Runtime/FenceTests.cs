using System.Net;
using System.Text.RegularExpressions;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Runtime;

/// <summary>
/// Write fences end to end (AUTHZ-6, seed 003): real jobs in real sandboxes take a named lock
/// through the runtime socket; a holder that stalls past its expiry is taken over, and its write
/// under the superseded fence is refused with nothing written, and recorded.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class FenceTests
{
    private const string Rt = """
        rt() { m=$1; p=$2; shift 2; curl -sS --unix-socket "$BULWARK_RUNTIME_SOCKET" -X "$m" -H "Authorization: Bearer $BULWARK_TASK_TOKEN" -H 'Content-Type: application/json' -w ' %{http_code}\n' "http://runtime$p" "$@"; }

        """;

    [Fact] // AUTHZ-6, AUD-1
    public async Task Stale_holders_fenced_write_is_refused_after_another_job_takes_the_lock_over_on_expiry()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        // A takes the lock for 3 s, writes under fence 1, stalls past the expiry, then writes again.
        await server.ApplyTemplateAsync(TemplateFiles.Script("fence.first", Rt + """
            rt POST /runtime/v1/locks/deploy --data '{"ttl_seconds":3}'
            rt PUT /runtime/v1/variables/step -H 'X-Bulwark-Fence: deploy:1' --data '"a1"'
            sleep 7
            rt PUT /runtime/v1/variables/step -H 'X-Bulwark-Fence: deploy:1' --data '"a2"'
            rt GET /runtime/v1/variables/step
            rt DELETE /runtime/v1/locks/deploy
            """, timeoutSeconds: 40));
        // B keeps asking: 409 lock_held while A's hold is live, then takes it over with fence 2.
        await server.ApplyTemplateAsync(TemplateFiles.Script("fence.second", Rt + """
            held=0
            for i in $(seq 1 80); do
              out=$(rt POST /runtime/v1/locks/deploy --data '{"ttl_seconds":30}')
              case "$out" in
                *'"lock_held"'*' 409') held=$((held+1)) ;;
                *' 200') echo "took: $out"; break ;;
                *) echo "unexpected: $out" ;;
              esac
              sleep 0.2
            done
            echo "held_answers=$held"
            rt PUT /runtime/v1/variables/step -H 'X-Bulwark-Fence: deploy:2' --data '"b"'
            rt PUT /runtime/v1/variables/other -H 'X-Bulwark-Fence: deploy:1' --data '"b-stale"' -o /dev/null
            rt DELETE /runtime/v1/locks/deploy
            """, timeoutSeconds: 40));

        var first = (await server.SubmitAsync(key, new { template = "fence.first" })).GetProperty("id").GetString()!;
        await server.WaitForStateAsync(key, first, "running", "succeeded", "failed", "dead");
        await Task.Delay(TimeSpan.FromSeconds(1)); // A is in its sandbox taking the lock
        var second = (await server.SubmitAsync(key, new { template = "fence.second" })).GetProperty("id").GetString()!;
        var a = await server.WaitForStateAsync(key, first, "succeeded", "failed", "dead");
        var b = await server.WaitForStateAsync(key, second, "succeeded", "failed", "dead");
        // The jobs' stdout, whatever entries it was stored in (JOB-6: it is stored while the job runs).
        var aLogs = await server.StreamTextAsync(key, first);
        var bLogs = await server.StreamTextAsync(key, second);

        Assert.True("succeeded" == a.GetProperty("state").GetString(), aLogs);
        Assert.True("succeeded" == b.GetProperty("state").GetString(), bLogs);
        Assert.Matches(@"\{""name"":""deploy"",""fence"":1,""expires_at"":""[^""]+""\} 200\n 204\n", aLogs);
        Assert.Matches(@"""code"":""fence_stale""[^\n]* 409\n""a1"" 200\n", aLogs); // refused, and nothing written
        Assert.Matches(@"""code"":""lock_not_held""[^\n]* 409\n", aLogs); // A no longer owns it to release
        Assert.Matches(@"took: \{""name"":""deploy"",""fence"":2,", bLogs);
        Assert.True(int.Parse(HeldAnswers().Match(bLogs).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1, bLogs);
        Assert.Matches(@"\n 204\n 409\n 204\n", bLogs); // its own write, the stale-fence one refused, the release

        var violations = await RuntimeApiClient.CountAsync(server.Options.DatabasePath,
            "SELECT count(*) FROM audit_log WHERE action = 'runtime.fence.violation' AND outcome = 'denied' "
            + "AND json_extract(detail_json, '$.reason') = 'fence_stale' AND target = 'lock:deploy'");
        Assert.Equal(2, violations);
        Assert.Equal(0, await RuntimeApiClient.CountAsync(server.Options.DatabasePath,
            "SELECT count(*) FROM job_variables WHERE (job_id = @a AND value_json = '\"a2\"') OR (job_id = @b AND name = 'other')",
            ("@a", first), ("@b", second)));
    }

    [Fact] // AUTHZ-6: a malformed fence is a bad request, not a silently unfenced write
    public async Task Write_with_a_malformed_fence_header_is_refused_and_writes_nothing()
    {
        await using var server = await ServerFixture.StartAsync();
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(TemplateFiles.Script("fence.bad", Rt + """
            rt PUT /runtime/v1/variables/step -H 'X-Bulwark-Fence: deploy' --data '1' -o /dev/null
            rt PUT /runtime/v1/variables/step -H 'X-Bulwark-Fence: deploy:-1' --data '1' -o /dev/null
            rt PUT /runtime/v1/variables/step -H 'X-Bulwark-Fence: deploy:1' --data '1' -o /dev/null
            rt POST /runtime/v1/locks/deploy --data '{"ttl_seconds":0}' -o /dev/null
            rt POST /runtime/v1/locks/deploy --data '{}' -o /dev/null
            rt GET /runtime/v1/variables/step -o /dev/null
            """));

        var id = (await server.SubmitAsync(key, new { template = "fence.bad" })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var logs = await server.StreamTextAsync(key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), logs);
        Assert.Contains(" 400\n 400\n 409\n 400\n 400\n 404\n", logs, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"held_answers=(\d+)")]
    private static partial Regex HeldAnswers();
}
