using System.Buffers;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Validation;

namespace Bulwark.Core.Templates;

/// <summary>
/// The file form of templates (API.md): JSON or YAML with snake_case keys. Parsing validates
/// everything (unknown keys, key pattern, kind-specific fields, limits, the inputs schema
/// itself) and reports the first problem as an <see cref="Errors.InvalidPayloadException"/>.
/// </summary>
public static partial class TemplateFile
{
    /// <summary>Far above any real template; keeps a hostile file from costing real memory.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>Deep enough for any real inputs schema, shallow enough to bound every parser.</summary>
    public const int MaxDepth = 32;

    /// <summary>Parses one template from JSON or YAML text (YAML is a superset; JSON is tried first).</summary>
    public static TemplateDefinition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new InvalidPayloadException($"The template is longer than {MaxLength / 1024} KB.");
        }

        using var document = ParseDocument(text);
        return TemplateReader.Read(document.RootElement);
    }

    /// <summary>The canonical JSON form (snake_case, as in API.md) used for storage and the API.</summary>
    public static string ToJson(TemplateDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("key", definition.Key);
            w.WriteString("tenant", definition.Tenant);
            w.WriteString("kind", definition.Kind switch
            {
                TemplateKind.Script => "script",
                TemplateKind.Http => "http",
                _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Kind, null),
            });
            w.WriteStartArray("command");
            foreach (var part in definition.Command)
            {
                w.WriteStringValue(part);
            }

            w.WriteEndArray();
            w.WritePropertyName("inputs_schema");
            if (definition.InputsSchema is { } schema)
            {
                schema.WriteTo(w);
            }
            else
            {
                w.WriteNullValue();
            }

            WriteMap(w, "env_from_inputs", definition.EnvFromInputs);
            w.WriteString("required_scope", definition.RequiredScope);
            w.WriteBoolean("action", definition.Action);
            w.WriteStartArray("secrets");
            foreach (var secret in definition.Secrets)
            {
                w.WriteStringValue(secret);
            }

            w.WriteEndArray();
            var limits = definition.Limits;
            w.WriteStartObject("limits");
            w.WriteNumber("memory_mb", limits.MemoryMb);
            w.WriteNumber("cpu_seconds", limits.CpuSeconds);
            w.WriteNumber("timeout_seconds", limits.TimeoutSeconds);
            w.WriteNumber("max_processes", limits.MaxProcesses);
            w.WriteNumber("tmp_mb", limits.TmpMb);
            w.WriteNumber("output_kb", limits.OutputKb);
            w.WriteEndObject();
            w.WriteString("network", definition.Network switch
            {
                NetworkPolicy.None => "none",
                NetworkPolicy.Egress => "egress",
                _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Network, null),
            });
            var retry = definition.Retry;
            w.WriteStartObject("retry");
            w.WriteNumber("max_attempts", retry.MaxAttempts);
            w.WriteNumber("backoff_seconds", retry.BackoffSeconds);
            w.WriteNumber("max_backoff_seconds", retry.MaxBackoffSeconds);
            w.WriteEndObject();
            w.WritePropertyName("request");
            if (definition.Request is { } request)
            {
                w.WriteStartObject();
                w.WriteString("method", request.Method);
                w.WriteString("url", request.Url);
                WriteMap(w, "headers", request.Headers);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNullValue();
            }

            w.WriteString("url_from_input", definition.UrlFromInput);
            w.WriteString("body_from_input", definition.BodyFromInput);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Maps are written in ordinal key order so equal definitions give equal text.</summary>
    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var key in map.Keys.Order(StringComparer.Ordinal))
        {
            w.WriteString(key, map[key]);
        }

        w.WriteEndObject();
    }

    private static JsonDocument ParseDocument(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        JsonDocument? json = null;
        try
        {
            json = JsonDocument.Parse(utf8, JsonPayload.Options(MaxDepth));
        }
        catch (JsonException)
        {
            // Not JSON as written: read it as YAML, which turns into JSON and goes through the
            // same strict parser (duplicates, depth) as a JSON file would.
        }
        catch (InvalidOperationException)
        {
            // The duplicate-key check could not read a key as text (a lone surrogate escape).
            throw new InvalidPayloadException(JsonProblems.UndecodableString);
        }

        if (json is not null)
        {
            // JSON as written: the gate's own checks, strings that cannot become text included.
            json.Dispose();
            return JsonPayload.Parse(utf8, MaxDepth);
        }

        byte[] converted;
        try
        {
            converted = YamlJson.ToJsonUtf8(text, MaxDepth);
        }
        catch (InvalidPayloadException) when (LooksLikeJson(text))
        {
            // The author wrote JSON: say what is wrong with it as JSON, not as YAML.
            throw new InvalidPayloadException(JsonProblems.Explain(utf8, MaxDepth).Replace("The body", "The template", StringComparison.Ordinal));
        }

        return JsonPayload.Parse(converted, MaxDepth);
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        return trimmed.Length > 0 && (trimmed[0] == '{' || trimmed[0] == '[');
    }
}
