namespace Bulwark.Core.Templates;

/// <summary>One stored version of a template. A job records the version it ran (JOB-1).</summary>
public sealed record JobTemplate(
    string Id,
    string? TenantId,
    int Version,
    DateTimeOffset CreatedAt,
    TemplateDefinition Definition)
{
    public string Key => Definition.Key;
}
