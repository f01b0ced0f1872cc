using System.Collections.Frozen;
using Bulwark.Core.Identity;

namespace Bulwark.Server.Revocation;

/// <summary>
/// One immutable view of what is revoked, built once per refresh and then only read. Pairs are
/// (tenant id, value) value tuples so a lookup allocates nothing; a jti revoked in every tenant is
/// kept under the empty tenant id.
/// </summary>
internal sealed class RevocationSnapshot
{
    private readonly FrozenSet<(string Tenant, string Jti)> _tokens;
    private readonly FrozenSet<(string Tenant, string Subject)> _subjects;
    private readonly FrozenSet<string> _keys;
    private readonly FrozenSet<string> _tenants;

    private RevocationSnapshot(
        FrozenSet<(string, string)> tokens, FrozenSet<(string, string)> subjects, FrozenSet<string> keys, FrozenSet<string> tenants)
    {
        _tokens = tokens;
        _subjects = subjects;
        _keys = keys;
        _tenants = tenants;
    }

    public static RevocationSnapshot Empty { get; } = Build([], [], DateTimeOffset.MinValue);

    /// <summary>Ids of the revocations this snapshot holds, so a refresh can tell which local writes it already saw.</summary>
    public FrozenSet<string> Ids { get; private init; } = FrozenSet<string>.Empty;

    /// <param name="suspendedTenantIds">Suspended tenants (TEN-4) hold exactly like a tenant revocation.</param>
    public static RevocationSnapshot Build(IEnumerable<Core.Identity.Revocation> revocations, IEnumerable<string> suspendedTenantIds, DateTimeOffset now)
    {
        var tokens = new HashSet<(string, string)>();
        var subjects = new HashSet<(string, string)>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var tenants = new HashSet<string>(suspendedTenantIds, StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in revocations)
        {
            if (!r.IsInForceAt(now))
            {
                continue;
            }

            ids.Add(r.Id);
            switch (r.Kind)
            {
                case RevocationKind.Jti:
                    tokens.Add((r.TenantId ?? "", r.Value));
                    break;
                case RevocationKind.Subject when r.TenantId is not null:
                    subjects.Add((r.TenantId, r.Value));
                    break;
                case RevocationKind.Key:
                    keys.Add(r.Value);
                    break;
                case RevocationKind.Tenant:
                    tenants.Add(r.Value);
                    break;
            }
        }

        return new RevocationSnapshot(tokens.ToFrozenSet(), subjects.ToFrozenSet(), keys.ToFrozenSet(StringComparer.Ordinal), tenants.ToFrozenSet(StringComparer.Ordinal))
        {
            Ids = ids.ToFrozenSet(StringComparer.Ordinal),
        };
    }

    public bool IsRevoked(string tenantId, string? subject, string? tokenId, string? keyId) =>
        _tenants.Contains(tenantId)
        || (keyId is not null && _keys.Contains(keyId))
        || (tokenId is not null && (_tokens.Contains((tenantId, tokenId)) || _tokens.Contains(("", tokenId))))
        || (subject is not null && _subjects.Contains((tenantId, subject)));
}
