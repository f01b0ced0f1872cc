using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bulwark.Core.Manifests;

/// <summary>How manifests and bundles are written: snake_case, as the rest of the API.</summary>
public static class ManifestJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Throws <see cref="JsonException"/> when the text is not a <typeparamref name="T"/>.</summary>
    public static T Parse<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"The stored {typeof(T).Name} is empty.");
}
