namespace Bulwark.Core.Identity;

/// <summary>
/// One revocation as stored (AUTH-5). Rows are only ever added: a revocation is lifted by its
/// expiry, never by an update, so every node that read it keeps refusing until then.
/// </summary>
public sealed record Revocation
{
    public required string Id { get; init; }
    public required RevocationKind Kind { get; init; }

    /// <summary>
    /// The tenant the revocation holds in. Null only for a <see cref="RevocationKind.Jti"/> the
    /// operator revoked without naming a tenant: that token id is then refused in every tenant.
    /// </summary>
    public string? TenantId { get; init; }

    /// <summary>The jti, subject, key id or tenant id, as <see cref="Kind"/> says.</summary>
    public required string Value { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Null: holds for good.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public string? Reason { get; init; }
    public required string Actor { get; init; }

    public bool IsInForceAt(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;

    /// <summary>A new id, time-ordered like every other id of the store.</summary>
    public static string NewId(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return "rev_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
    }
}
