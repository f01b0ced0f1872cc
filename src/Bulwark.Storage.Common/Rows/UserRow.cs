using Bulwark.Core.Identity;

namespace Bulwark.Storage.Common.Rows;

/// <summary>A users row as selected with <see cref="Columns"/>, and the parameters of its upsert.</summary>
public sealed class UserRow
{
    public const string Columns =
        "tenant_id AS TenantId, subject AS Subject, email AS Email, roles AS Roles, first_seen AS FirstSeen, last_seen AS LastSeen";

    public string TenantId { get; set; } = "";
    public string Subject { get; set; } = "";
    public string? Email { get; set; }
    /// <summary>The roles, space-separated.</summary>
    public string Roles { get; set; } = "";
    public long FirstSeen { get; set; }
    public long LastSeen { get; set; }

    /// <summary>
    /// The row to upsert. The tenant comes from the caller's scope, never from the record, so a
    /// caller cannot file a user under another tenant.
    /// </summary>
    public static UserRow From(string tenantId, UserRecord user) => new()
    {
        TenantId = tenantId,
        Subject = user.Subject,
        Email = user.Email,
        Roles = string.Join(' ', user.Roles),
        FirstSeen = UnixMs.From(user.FirstSeen),
        LastSeen = UnixMs.From(user.LastSeen),
    };

    public UserRecord ToRecord() => new(
        TenantId,
        Subject,
        Email,
        Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        UnixMs.To(FirstSeen),
        UnixMs.To(LastSeen));
}
