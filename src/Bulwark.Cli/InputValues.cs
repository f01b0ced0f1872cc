using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulwark.Cli;

/// <summary>
/// Builds a job's inputs from <c>--inputs-json</c> and repeated <c>--input key=value</c>.
/// A value is a string unless it reads as a JSON number or <c>true</c>/<c>false</c>, so
/// <c>count=3</c> gives 3 but <c>zip=007</c> and <c>name=world</c> stay strings.
/// </summary>
internal static class InputValues
{
    public const string Rule =
        "A value is a JSON number or true/false when it reads as one (count=3, verbose=true), otherwise a string (name=world, zip=007).";

    public static JsonObject Build(string? json, IReadOnlyList<string>? pairs)
    {
        var inputs = json is null ? [] : ParseObject(json) ?? [];
        foreach (var pair in pairs ?? [])
        {
            var split = pair.IndexOf('=', StringComparison.Ordinal);
            // --input wins over --inputs-json: the more specific flag is the one the user typed last in intent.
            inputs[pair[..split]] = Value(pair[(split + 1)..]);
        }

        return inputs;
    }

    public static void ValidatePairs(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value.IndexOf('=', StringComparison.Ordinal) <= 0)
            {
                result.AddError($"--input '{token.Value}' is not of the form key=value.");
                return;
            }
        }
    }

    public static void ValidateJson(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (ParseObject(token.Value) is null)
            {
                result.AddError("--inputs-json is not a JSON object.");
                return;
            }
        }
    }

    private static JsonObject? ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonNode? Value(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonValue value
                && value.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: a plain string, which is the common case.
        }

        return JsonValue.Create(text);
    }
}
