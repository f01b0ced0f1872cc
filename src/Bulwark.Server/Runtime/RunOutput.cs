using System.Text.Json.Nodes;

namespace Bulwark.Server.Runtime;

/// <summary>The run's result as stored: the executor's object (exit code, termination, duration) plus <c>output</c>.</summary>
internal static class RunOutput
{
    public const string Field = "output";

    /// <param name="resultJson">The executor's result object, or null when it had none.</param>
    /// <param name="outputJson">The JSON the job PUT to <c>/runtime/v1/result</c> (already validated).</param>
    public static string Merge(string? resultJson, string outputJson)
    {
        var result = resultJson is null ? null : JsonNode.Parse(resultJson) as JsonObject;
        result ??= [];
        result[Field] = JsonNode.Parse(outputJson);
        return result.ToJsonString();
    }
}
