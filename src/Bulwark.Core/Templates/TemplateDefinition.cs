using System.Text.Json;
using Bulwark.Core.Jobs;

namespace Bulwark.Core.Templates;

/// <summary>
/// A template as its author wrote it (API.md "Templates", JOB-1), after validation.
/// Parsed from JSON or YAML by <see cref="TemplateFile"/>.
/// </summary>
public sealed record TemplateDefinition
{
    /// <summary>Matches <c>^[a-zA-Z0-9_.:-]{1,100}$</c>.</summary>
    public required string Key { get; init; }
    /// <summary>Tenant name the template belongs to; null means every tenant may use it.</summary>
    public string? Tenant { get; init; }
    public required TemplateKind Kind { get; init; }
    /// <summary>argv for script templates.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    /// <summary>JSON Schema for the inputs; null accepts any JSON object.</summary>
    public JsonElement? InputsSchema { get; init; }
    /// <summary>Environment variable name → input property name.</summary>
    public IReadOnlyDictionary<string, string> EnvFromInputs { get; init; } = new Dictionary<string, string>();
    /// <summary>Scope the caller needs beyond <c>jobs:write</c> (AUTHZ-1); null: none.</summary>
    public string? RequiredScope { get; init; }
    /// <summary>Writes or side effects: needs a policy token (AUTHZ-3).</summary>
    public bool Action { get; init; }
    public IReadOnlyList<string> Secrets { get; init; } = [];
    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;
    public NetworkPolicy Network { get; init; } = NetworkPolicy.None;
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;
    /// <summary>For http templates.</summary>
    public HttpRequestSpec? Request { get; init; }
    public string? UrlFromInput { get; init; }
    public string? BodyFromInput { get; init; }
}
