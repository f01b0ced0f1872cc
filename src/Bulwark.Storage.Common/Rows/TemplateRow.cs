using Bulwark.Core.Templates;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A templates row as selected with <see cref="Columns"/>.</summary>
public sealed class TemplateRow
{
    public const string Columns =
        "id AS Id, tenant_id AS TenantId, key AS Key, version AS Version, definition_json AS DefinitionJson, created_at AS CreatedAt";

    public string Id { get; set; } = "";
    public string? TenantId { get; set; }
    public string Key { get; set; } = "";
    public int Version { get; set; }
    public string DefinitionJson { get; set; } = "";
    public long CreatedAt { get; set; }

    /// <summary>Parses the definition: the stores call it once per id and cache the result.</summary>
    public JobTemplate ToTemplate() =>
        new(Id, TenantId, Version, UnixMs.To(CreatedAt), TemplateFile.Parse(DefinitionJson));
}
