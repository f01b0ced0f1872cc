using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Validation;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Http;

/// <summary>
/// Reads a request body as JSON through the payload guard (NET-2): size cap (Kestrel's limit),
/// JSON media type, duplicate keys and depth refused. Endpoints never bind bodies any other way.
/// </summary>
internal static class JsonBody
{
    public static async Task<JsonDocument> ReadAsync(HttpRequest request, int maxDepth, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            throw new UnsupportedMediaTypeException();
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return JsonPayload.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), maxDepth);
    }

    /// <summary>Refuses any property not in <paramref name="known"/>: a typo must not be silently ignored.</summary>
    public static void RequireOnly(JsonElement obj, params string[] known)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidPayloadException("The request body must be a JSON object.");
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                throw new InvalidPayloadException($"The field '{property.Name}' is not known here.");
            }
        }
    }

    public static string? OptionalString(JsonElement obj, string name) =>
        Optional(obj, name) is { } v
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw TypeError(name, "a string")
            : null;

    public static int? OptionalInt(JsonElement obj, string name) =>
        Optional(obj, name) is { } v
            ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw TypeError(name, "an integer")
            : null;

    public static bool? OptionalBool(JsonElement obj, string name) =>
        Optional(obj, name) is { } v
            ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw TypeError(name, "true or false")
            : null;

    public static DateTimeOffset? OptionalTime(JsonElement obj, string name) =>
        OptionalString(obj, name) is { } text
            ? DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var t)
              && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9)
                ? t.ToUniversalTime()
                : throw TypeError(name, "an RFC 3339 time with a zone, e.g. 2026-01-02T03:04:05Z")
            : null;

    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static InvalidPayloadException TypeError(string name, string what) => new($"The field '{name}' must be {what}.");
}
