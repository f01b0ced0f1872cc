using System.Text.Json;
using Bulwark.Core.Keys;

namespace Bulwark.Storage.Common.Rows;

/// <summary>An api_keys row as selected with <see cref="Columns"/>, and the parameters of its insert.</summary>
public sealed class ApiKeyRow
{
    public const string Columns =
        "id AS Id, tenant_id AS TenantId, name AS Name, scopes AS Scopes, secret_hash AS SecretHash, "
        + "created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt";

    public string Id { get; set; } = "";
    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>A JSON array of scope strings.</summary>
    public string Scopes { get; set; } = "[]";
    public byte[] SecretHash { get; set; } = [];
    public long CreatedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public long? RevokedAt { get; set; }

    public static ApiKeyRow From(ApiKeyRecord key) => new()
    {
        Id = key.Id,
        TenantId = key.TenantId,
        Name = key.Name,
        Scopes = JsonSerializer.Serialize(key.Scopes),
        SecretHash = key.SecretHash,
        CreatedAt = UnixMs.From(key.CreatedAt),
        ExpiresAt = UnixMs.From(key.ExpiresAt),
        RevokedAt = UnixMs.From(key.RevokedAt),
    };

    public ApiKeyRecord ToRecord() => new()
    {
        Id = Id,
        TenantId = TenantId,
        Name = Name,
        Scopes = JsonSerializer.Deserialize<string[]>(Scopes) ?? [],
        SecretHash = SecretHash,
        CreatedAt = UnixMs.To(CreatedAt),
        ExpiresAt = UnixMs.To(ExpiresAt),
        RevokedAt = UnixMs.To(RevokedAt),
    };
}
