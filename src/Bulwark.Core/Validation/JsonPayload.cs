using System.Text.Json;
using Bulwark.Core.Errors;

namespace Bulwark.Core.Validation;

/// <summary>
/// The one gate every JSON body passes (NET-2): well-formed, no duplicate keys at any depth,
/// nested no deeper than the limit. Duplicate keys are refused rather than "last one wins"
/// because two parsers disagreeing on which duplicate counts is how a payload that passed a
/// check (say, a scope or tenant field) gets read differently by the code that acts on it.
/// </summary>
public static class JsonPayload
{
    /// <summary>The default depth limit of NET-2.</summary>
    public const int DefaultMaxDepth = 10;

    /// <summary>
    /// Parses <paramref name="utf8"/> into a document the caller disposes. Throws
    /// <see cref="InvalidPayloadException"/> with one sentence saying what is wrong.
    /// </summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, Options(maxDepth));
        }
        catch (JsonException)
        {
            // The parser's own messages carry internals (byte offsets, type names); explain the
            // failure again with a reader that reports exactly which rule was broken.
            throw new InvalidPayloadException(JsonProblems.Explain(utf8.Span, maxDepth));
        }
        catch (InvalidOperationException)
        {
            // The duplicate-key check reads every key as text; a key that cannot become text throws this.
            throw new InvalidPayloadException(JsonProblems.UndecodableString);
        }

        // The parser accepts strings that cannot become text (bytes that are not UTF-8, a lone
        // surrogate escape such as "\ud800"); reading one later throws deep inside whichever check
        // reads it. Refused here, once, so every reader after the gate gets only decodable strings.
        if (!AllStringsDecode(document.RootElement))
        {
            document.Dispose();
            throw new InvalidPayloadException(JsonProblems.UndecodableString);
        }

        return document;
    }

    /// <summary>Every property name and string value decodes to UTF-16; recursion is bounded by the depth limit.</summary>
    private static bool AllStringsDecode(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!AllStringsDecode(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!AllStringsDecode(item))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    internal static JsonDocumentOptions Options(int maxDepth) => new()
    {
        MaxDepth = maxDepth,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };
}
