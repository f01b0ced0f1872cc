using System.Buffers;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Validation;

namespace Bulwark.Core.Templates;

/// <summary>
/// Validates a submission's inputs against the template's JSON Schema (JOB-1, NET-2) and
/// returns the canonical inputs JSON to store. Throws <see cref="Errors.InvalidPayloadException"/>
/// (code <c>invalid_payload</c>) naming the first violated path.
/// </summary>
public static class InputsValidator
{
    /// <summary>NET-2's depth limit, applied to the inputs object itself.</summary>
    public const int MaxDepth = JsonPayload.DefaultMaxDepth;

    public static string Validate(TemplateDefinition template, JsonElement? inputs)
    {
        ArgumentNullException.ThrowIfNull(template);
        var canonical = inputs is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } given
            ? Canonical(given)
            : "{}";

        if (template.InputsSchema is { } schemaElement)
        {
            var schema = InputsSchemas.Get(InputsSchemas.TextOf(schemaElement));
            ICollection<NJsonSchema.Validation.ValidationError> errors;
            try
            {
                errors = schema.Validate(canonical);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A $ref cycle deep in the schema surfaces only for inputs that reach it; that is
                // the template's fault, but it must be an answer, not a server error.
                throw new InvalidPayloadException("inputs cannot be checked because the template's inputs_schema has a $ref cycle.");
            }

            if (errors.Count > 0)
            {
                throw new InvalidPayloadException(InputsErrors.Describe(errors.First()));
            }
        }

        return canonical;
    }

    /// <summary>
    /// Compact JSON with object keys in ordinal order, so equal inputs give equal text (and an
    /// equal inputs hash in the audit trail, AUD-1). Depth and duplicate keys are checked here
    /// too: the element may come from a document parsed more leniently than NET-2 allows.
    /// </summary>
    private static string Canonical(JsonElement inputs)
    {
        if (inputs.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidPayloadException("inputs must be a JSON object.");
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, inputs, "inputs", 1);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element, string path, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                CheckDepth(depth);
                var properties = new List<JsonProperty>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        throw new InvalidPayloadException($"{path} has the key '{JsonProblems.Shown(property.Name)}' more than once.");
                    }

                    properties.Add(property);
                }

                properties.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, $"{path}.{JsonProblems.Shown(property.Name)}", depth + 1);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                CheckDepth(depth);
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item, $"{path}[{index++}]", depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidPayloadException($"inputs are nested deeper than {MaxDepth} levels.");
        }
    }
}
