using System.Text.Json;

namespace Bulwark.Client;

/// <summary>Turns an error answer into a <see cref="BulwarkApiException"/>, whatever shape its body has.</summary>
internal static class ProblemReader
{
    public static BulwarkApiException Read(int status, string? mediaType, string body)
    {
        var fallbackCode = $"http_{status}";
        var fallbackTitle = $"The server answered with status {status}.";
        if (!IsJson(mediaType))
        {
            return new BulwarkApiException(status, fallbackCode, fallbackTitle, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new BulwarkApiException(status, fallbackCode, fallbackTitle, null);
            }

            return new BulwarkApiException(
                status,
                Text(root, "code") ?? fallbackCode,
                Text(root, "title") ?? fallbackTitle,
                Text(root, "detail"));
        }
        catch (JsonException)
        {
            return new BulwarkApiException(status, fallbackCode, fallbackTitle, null);
        }
    }

    private static bool IsJson(string? mediaType) =>
        mediaType is not null
        && (mediaType.Equals("application/problem+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : null;
}
