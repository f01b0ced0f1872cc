namespace Bulwark.Core.Templates;

/// <summary>
/// The file form of templates (API.md): JSON or YAML with snake_case keys. Parsing validates
/// everything (unknown keys, key pattern, kind-specific fields, limits, the inputs schema
/// itself) and reports the first problem as an <see cref="Errors.InvalidPayloadException"/>.
/// </summary>
public static partial class TemplateFile
{
    /// <summary>Parses one template from JSON or YAML text (YAML is a superset; JSON is tried first).</summary>
    public static TemplateDefinition Parse(string text) => throw new NotImplementedException();

    /// <summary>The canonical JSON form (snake_case, as in API.md) used for storage and the API.</summary>
    public static string ToJson(TemplateDefinition definition) => throw new NotImplementedException();
}
