using Bulwark.Core.Errors;
using NJsonSchema;
using NJsonSchema.References;

namespace Bulwark.Core.Templates;

/// <summary>
/// Lets an inputs schema use <c>$ref</c> only inside itself. NJsonSchema would otherwise fetch
/// a URL or read a file named by a template author: a server-side request forgery and a file
/// disclosure path handed to anyone with <c>templates:admin</c>.
/// </summary>
internal sealed class LocalOnlyReferenceResolver(JsonSchema root)
    : JsonReferenceResolver(new JsonSchemaAppender(root, new DefaultTypeNameGenerator()))
{
    private const string Refused = "inputs_schema may only use $ref to a place inside the schema itself.";

    public override Task<IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default) =>
        throw new InvalidPayloadException(Refused);

    public override Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
        throw new InvalidPayloadException(Refused);
}
