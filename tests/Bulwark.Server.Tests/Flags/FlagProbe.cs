using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Flags;

/// <summary>What the flag tests read back: <c>GET /v1/flags</c>, a bounded wait for a node to follow the store, and flag audit entries.</summary>
internal static class FlagProbe
{
    /// <summary>Every flag of <c>GET /v1/flags</c> by name.</summary>
    public static async Task<Dictionary<string, JsonElement>> ListAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/flags");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /v1/flags answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("flags").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    public static Task<Dictionary<string, JsonElement>> ListAsync(ServerFixture server, string key) => ListAsync(server.Http, key);

    /// <summary>
    /// FLAG-2: polls until the node reports <paramref name="enabled"/> for the flag; a generous bound
    /// (the refresh period is seconds), no timing asserted.
    /// </summary>
    public static async Task<JsonElement> WaitForEnabledAsync(HttpClient http, string key, string name, bool enabled)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement flag;
        do
        {
            flag = (await ListAsync(http, key))[name];
            if (flag.GetProperty("enabled").GetBoolean() == enabled)
            {
                return flag;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"the node never reported {name} enabled={enabled}; last: {flag}");
        return flag;
    }

    /// <summary>Every flag change recorded in any audit chain, oldest first.</summary>
    public static async Task<List<AuditEntry>> AuditAsync(IBulwarkStore store) =>
        (await store.ReadAuditChainsAsync(new AuditChainRead { Limit = AuditChainRead.MaxLimit }, CancellationToken.None))
            .Select(s => s.Entry)
            .Where(e => e.Action.StartsWith("flag.", StringComparison.Ordinal))
            .OrderBy(e => e.At)
            .ToList();

    public static JsonElement Detail(AuditEntry entry) => JsonDocument.Parse(entry.DetailJson!).RootElement.Clone();
}
