namespace Bulwark.Core.Templates;

/// <summary>
/// Validates a submission's inputs against the template's JSON Schema (JOB-1, NET-2) and
/// returns the canonical inputs JSON to store. Throws <see cref="Errors.InvalidPayloadException"/>
/// (code <c>invalid_payload</c>) naming the first violated path.
/// </summary>
public static class InputsValidator
{
    public static string Validate(TemplateDefinition template, System.Text.Json.JsonElement? inputs) =>
        throw new NotImplementedException();
}
