using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Client;

/// <summary>
/// One template version as <c>GET /v1/templates</c> and <c>PUT /v1/templates/{key}</c> show it.
/// Fields this client does not name are kept in <see cref="Other"/> so nothing the server sends is lost.
/// </summary>
public sealed record TemplateView
{
    public required string Key { get; init; }
    public int Version { get; init; }
    public string? Kind { get; init; }
    public string? Tenant { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}
