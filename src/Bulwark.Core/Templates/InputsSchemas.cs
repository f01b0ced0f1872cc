using System.Collections.Concurrent;
using System.Text.Json;
using Bulwark.Core.Errors;
using NJsonSchema;

namespace Bulwark.Core.Templates;

/// <summary>
/// Compiles template inputs schemas with NJsonSchema, refusing external references, and keeps
/// the compiled form: compiling costs far more than validating, and every submission needs it.
/// </summary>
internal static class InputsSchemas
{
    /// <summary>
    /// Bounds the cache so that a stream of distinct schemas (template versions) cannot grow it
    /// without limit; past the bound it starts over, which only costs recompiling.
    /// </summary>
    private const int MaxCached = 512;

    private static readonly ConcurrentDictionary<string, JsonSchema> Compiled = new(StringComparer.Ordinal);

    /// <summary>The compact JSON text of a schema: the cache key and what NJsonSchema reads.</summary>
    public static string TextOf(JsonElement schema)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            schema.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Compiles (or finds) the schema; a schema NJsonSchema refuses is an invalid payload.</summary>
    public static JsonSchema Get(string schemaText)
    {
        if (Compiled.TryGetValue(schemaText, out var cached))
        {
            return cached;
        }

        var schema = Compile(schemaText);
        if (Compiled.Count >= MaxCached)
        {
            Compiled.Clear();
        }

        Compiled.TryAdd(schemaText, schema);
        return schema;
    }

    private static JsonSchema Compile(string schemaText)
    {
        try
        {
            // No I/O can happen (external references are refused), so this completes synchronously.
            var schema = JsonSchema
                .FromJsonAsync(schemaText, documentPath: null, root => new LocalOnlyReferenceResolver(root), CancellationToken.None)
                .GetAwaiter()
                .GetResult();

            // NJsonSchema accepts reference cycles ({"$ref": "#"}) and only fails when it
            // validates; find the ones at the root now rather than at every submission.
            _ = schema.Validate("{}");
            return schema;
        }
        catch (InvalidPayloadException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // NJsonSchema reports problems as serializer or resolver exceptions whose text is
            // about its internals; the author needs to know which field, not how it failed inside.
            throw new InvalidPayloadException(
                e is InvalidOperationException or NotSupportedException
                    ? "inputs_schema has a $ref that points nowhere inside the schema."
                    : "inputs_schema is not a valid JSON Schema.");
        }
    }
}
