using System.Text;
using System.Text.Json;

namespace Bulwark.Core.Validation;

/// <summary>
/// Names what is wrong with a JSON text the parser refused: too deep, a repeated key (with
/// where it is), or broken syntax (with line and position). Runs only on the failure path.
/// </summary>
internal static class JsonProblems
{
    public const string UndecodableString =
        "The JSON holds a string that is not valid Unicode (bytes that are not UTF-8, or a lone surrogate escape).";

    public static string Explain(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        // No depth limit of its own: this reader must get past the point where the real one
        // stopped to tell a depth problem from a syntax one. It never recurses, so deep input is safe.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            MaxDepth = int.MaxValue,
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Disallow,
        });
        var keys = new Stack<HashSet<string>?>();
        var path = new Stack<string>();
        string? pendingName = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (reader.CurrentDepth + 1 > maxDepth)
                        {
                            return $"The JSON is nested deeper than {maxDepth} levels.";
                        }

                        path.Push(pendingName ?? (path.Count == 0 ? "$" : "[]"));
                        pendingName = null;
                        keys.Push(reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        keys.Pop();
                        path.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString() ?? "";
                        if (keys.Peek() is { } seen && !seen.Add(name))
                        {
                            return $"The JSON object at {Where(path)} has the key '{Shown(name)}' more than once.";
                        }

                        pendingName = name;
                        break;
                    default:
                        pendingName = null;
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            return e.LineNumber is { } line && e.BytePositionInLine is { } position
                ? $"The body is not valid JSON (line {line + 1}, position {position + 1})."
                : "The body is not valid JSON.";
        }
        catch (InvalidOperationException)
        {
            // A key that cannot become text: the reader throws this, not a JsonException.
            return UndecodableString;
        }

        return "The body is not valid JSON.";
    }

    private static string Where(Stack<string> path)
    {
        var parts = path.Reverse().ToArray();
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(part == "$" || part == "[]" ? part : "." + Shown(part));
        }

        return text.ToString();
    }

    /// <summary>Keeps user-chosen names from turning an error message into a wall of text.</summary>
    internal static string Shown(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 61), "...");
}
