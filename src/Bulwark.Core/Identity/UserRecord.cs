namespace Bulwark.Core.Identity;

/// <summary>
/// A person or service known from a JWT (AUTH-6): created on the first valid token of an unknown
/// subject, touched on later sight. <see cref="Roles"/> and <see cref="Email"/> are as the newest
/// token said; the identity provider stays the authority, the record is what Bulwark has seen.
/// </summary>
public sealed record UserRecord(
    string TenantId,
    string Subject,
    string? Email,
    IReadOnlyList<string> Roles,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen);
