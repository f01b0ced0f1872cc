using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Worker;

/// <summary>A server whose own workers are off, so the worker API (or a remote worker) runs every job.</summary>
internal static class WorkerCalls
{
    public const string Token = "worker-token-0123456789abcdefghijklmnop";

    public static Task<ServerFixture> StartServerAsync(Action<Server.Hosting.BulwarkOptions>? configure = null) =>
        ServerFixture.StartAsync(o =>
        {
            o.WorkerToken = Token;
            o.LocalWorkers = false;
            configure?.Invoke(o);
        });

    public static Task<HttpResponseMessage> PostAsync(ServerFixture server, string route, object body, string? token = Token, string? workerId = "test-worker")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/worker/v1/" + route) { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (workerId is not null)
        {
            request.Headers.Add("X-Worker-Id", workerId);
        }

        return server.Http.SendAsync(request);
    }

    /// <summary>Claims until the one due job comes (the claim may race the submission's commit).</summary>
    public static async Task<JsonElement> ClaimOneAsync(ServerFixture server, int leaseSeconds = 6)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await PostAsync(server, "claim", new { max = 1, lease_seconds = leaseSeconds });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"claim answered {(int)response.StatusCode}: {text}");
            var jobs = JsonDocument.Parse(text).RootElement.GetProperty("jobs");
            if (jobs.GetArrayLength() > 0)
            {
                return jobs[0].Clone();
            }

            await Task.Delay(100);
        }

        Assert.Fail("no job was claimable");
        return default;
    }

    public static object Fence(JsonElement claimed) => new
    {
        job_id = claimed.GetProperty("job_id").GetString(),
        attempt = claimed.GetProperty("attempt").GetInt32(),
        lease_token = claimed.GetProperty("lease_token").GetString(),
    };

    public static object Completion(JsonElement claimed, string outcome, string stdout = "", string? errorCode = null) => new
    {
        job_id = claimed.GetProperty("job_id").GetString(),
        attempt = claimed.GetProperty("attempt").GetInt32(),
        lease_token = claimed.GetProperty("lease_token").GetString(),
        outcome,
        result = new { exit_code = 0 },
        error = outcome == "succeeded" ? null : "it broke",
        error_code = errorCode,
        exit_code = 0,
        stdout,
        stderr = "",
    };
}
