namespace Bulwark.Storage.Postgres.Rows;

internal sealed class TemplateRow
{
    public const string Columns =
        "id AS Id, tenant_id AS TenantId, key AS Key, version AS Version, definition_json AS DefinitionJson, created_at AS CreatedAt";

    public string Id { get; set; } = "";
    public string? TenantId { get; set; }
    public string Key { get; set; } = "";
    public int Version { get; set; }
    public string DefinitionJson { get; set; } = "";
    public long CreatedAt { get; set; }
}
