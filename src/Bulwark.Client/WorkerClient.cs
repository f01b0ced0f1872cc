using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Bulwark.Client;

/// <summary>
/// The worker API of a Bulwark server (<c>/worker/v1</c>, AUTH-7): what a remote <c>bulwark worker</c>
/// uses to claim jobs, keep their leases and report how they ended. The credential is the worker
/// token plus this worker's id; every non-2xx answer becomes a <see cref="BulwarkApiException"/>
/// (409 <c>lease_lost</c> when the lease is stale).
/// </summary>
public sealed class WorkerClient(HttpClient http) : IDisposable
{
    public const string WorkerIdHeader = "X-Worker-Id";

    /// <summary>A client for <paramref name="baseAddress"/> sending <paramref name="workerToken"/> and <paramref name="workerId"/>.</summary>
    public static WorkerClient Create(Uri baseAddress, string workerToken, string workerId)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(workerToken);
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        var http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", workerToken);
        http.DefaultRequestHeaders.Add(WorkerIdHeader, workerId);
        return new WorkerClient(http);
    }

    public Uri? BaseAddress => http.BaseAddress;

    /// <summary><c>POST /worker/v1/claim</c>: up to <paramref name="max"/> due jobs, each under a fresh lease.</summary>
    public async Task<IReadOnlyList<WorkerJob>> ClaimAsync(int max, int? leaseSeconds = null, CancellationToken ct = default)
    {
        var answer = await PostAsync<WorkerClaim>("worker/v1/claim", new { max, lease_seconds = leaseSeconds }, ct);
        return answer?.Jobs ?? [];
    }

    /// <summary><c>POST /worker/v1/heartbeat</c>: extends the lease; true when the job's cancel was requested.</summary>
    public async Task<bool> HeartbeatAsync(string jobId, int attempt, string leaseToken, CancellationToken ct = default)
    {
        var answer = await PostAsync<WorkerHeartbeat>(
            "worker/v1/heartbeat", new { job_id = jobId, attempt, lease_token = leaseToken }, ct);
        return answer?.CancelRequested ?? false;
    }

    /// <summary><c>POST /worker/v1/complete</c>: how the attempt ended; the server decides what comes next.</summary>
    public Task CompleteAsync(WorkerCompletion completion, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return PostAsync<JsonElement?>("worker/v1/complete", completion, ct);
    }

    private async Task<T?> PostAsync<T>(string path, object body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, body, WireJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            throw ProblemReader.Read((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
        }

        if (response.StatusCode == System.Net.HttpStatusCode.NoContent)
        {
            return default;
        }

        return await response.Content.ReadFromJsonAsync<T>(WireJson.Options, ct);
    }

    /// <summary>Disposes the <see cref="HttpClient"/> this client was given.</summary>
    public void Dispose() => http.Dispose();

    private sealed record WorkerClaim(IReadOnlyList<WorkerJob> Jobs);

    private sealed record WorkerHeartbeat(bool CancelRequested);
}
