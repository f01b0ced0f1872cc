using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Client;

/// <summary>The API's JSON conventions (API.md): snake_case names, nulls left out of requests.</summary>
internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
