using System.Text.Json;
using Bulwark.Core.Templates;

namespace Bulwark.Server.Templates;

/// <summary>A template version as the API shows it; <c>definition</c> is the file form (API.md).</summary>
internal sealed record TemplateView(
    string Key,
    int Version,
    bool Global,
    string Kind,
    string? RequiredScope,
    bool Action,
    DateTimeOffset CreatedAt,
    JsonElement Definition)
{
    public static TemplateView Of(JobTemplate template) => new(
        template.Key,
        template.Version,
        template.TenantId is null,
        template.Definition.Kind == TemplateKind.Script ? "script" : "http",
        template.Definition.RequiredScope,
        template.Definition.Action,
        template.CreatedAt,
        JsonElement.Parse(TemplateFile.ToJson(template.Definition)));
}

internal sealed record TemplateListView(IReadOnlyList<TemplateView> Templates);
