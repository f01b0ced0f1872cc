using Bulwark.Core.Identity;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Revocation;
using Microsoft.Extensions.Time.Testing;
using RevocationRecord = Bulwark.Core.Identity.Revocation;

namespace Bulwark.Server.Tests.Revocation;

/// <summary>AUTH-5, TEN-4: what <see cref="IRevocationCheck"/> answers, driven by a fake store feed and a fake clock.</summary>
public sealed class RevocationCacheTests
{
    private const string Acme = "ten_acme";
    private const string Globex = "ten_globex";
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RevocationFeed _feed;
    private readonly RevocationCache _cache;

    public RevocationCacheTests()
    {
        (var store, _feed) = RevocationFeed.Create();
        _cache = new RevocationCache(store, _clock);
    }

    private RevocationRecord Revoke(RevocationKind kind, string? tenantId, string value, TimeSpan? lifetime = null)
    {
        var revocation = new RevocationRecord
        {
            Id = RevocationRecord.NewId(_clock),
            Kind = kind,
            TenantId = tenantId,
            Value = value,
            CreatedAt = _clock.GetUtcNow(),
            ExpiresAt = lifetime is { } l ? _clock.GetUtcNow() + l : null,
            Actor = "operator",
        };
        _feed.Revocations.Add(revocation);
        return revocation;
    }

    [Fact]
    public async Task IsRevoked_refuses_a_jti_in_its_own_tenant_only_when_revoked_with_a_tenant_AUTH_5()
    {
        Revoke(RevocationKind.Jti, Acme, "jti-1");
        await _cache.RefreshAsync(Ct);

        Assert.True(_cache.IsRevoked(Acme, "alice", "jti-1", null));
        Assert.False(_cache.IsRevoked(Globex, "alice", "jti-1", null));
        Assert.False(_cache.IsRevoked(Acme, "alice", "jti-2", null));
        Assert.False(_cache.IsRevoked(Acme, "alice", null, null));
    }

    [Fact]
    public async Task IsRevoked_refuses_a_jti_in_every_tenant_when_revoked_without_a_tenant_AUTH_5()
    {
        Revoke(RevocationKind.Jti, null, "jti-1");
        await _cache.RefreshAsync(Ct);

        Assert.True(_cache.IsRevoked(Acme, "alice", "jti-1", null));
        Assert.True(_cache.IsRevoked(Globex, "bob", "jti-1", null));
    }

    [Fact]
    public async Task IsRevoked_refuses_every_token_of_a_subject_within_its_tenant_only_AUTH_5()
    {
        Revoke(RevocationKind.Subject, Acme, "alice");
        await _cache.RefreshAsync(Ct);

        Assert.True(_cache.IsRevoked(Acme, "alice", "any-jti", null));
        Assert.True(_cache.IsRevoked(Acme, "alice", null, null));
        Assert.False(_cache.IsRevoked(Acme, "bob", "any-jti", null));
        // The same subject name in another tenant is another person.
        Assert.False(_cache.IsRevoked(Globex, "alice", "any-jti", null));
    }

    [Fact]
    public async Task IsRevoked_refuses_a_key_by_id_AUTH_5()
    {
        Revoke(RevocationKind.Key, Acme, "key_00112233aabbccdd");
        await _cache.RefreshAsync(Ct);

        Assert.True(_cache.IsRevoked(Acme, "key:key_00112233aabbccdd", null, "key_00112233aabbccdd"));
        Assert.False(_cache.IsRevoked(Acme, "key:key_ffffffffffffffff", null, "key_ffffffffffffffff"));
    }

    [Fact]
    public async Task IsRevoked_refuses_every_credential_of_a_suspended_or_revoked_tenant_TEN_4()
    {
        _feed.Tenants.Add(new Tenant(Acme, "acme", _clock.GetUtcNow(), Suspended: true));
        _feed.Tenants.Add(new Tenant(Globex, "globex", _clock.GetUtcNow()));
        Revoke(RevocationKind.Tenant, "ten_initech", "ten_initech");
        await _cache.RefreshAsync(Ct);

        Assert.True(_cache.IsRevoked(Acme, "alice", "jti-1", null));
        Assert.True(_cache.IsRevoked(Acme, "key:key_1", null, "key_1"));
        Assert.True(_cache.IsRevoked("ten_initech", "carol", null, null));
        Assert.False(_cache.IsRevoked(Globex, "bob", "jti-1", null));

        _feed.Tenants[0] = _feed.Tenants[0] with { Suspended = false };
        await _cache.RefreshAsync(Ct);

        Assert.False(_cache.IsRevoked(Acme, "alice", "jti-1", null));
    }

    [Fact]
    public async Task IsRevoked_lets_a_credential_through_again_when_its_revocation_expired_AUTH_5()
    {
        Revoke(RevocationKind.Jti, Acme, "jti-1", TimeSpan.FromMinutes(10));
        await _cache.RefreshAsync(Ct);
        Assert.True(_cache.IsRevoked(Acme, "alice", "jti-1", null));

        _clock.Advance(TimeSpan.FromMinutes(10));
        await _cache.RefreshAsync(Ct);

        Assert.False(_cache.IsRevoked(Acme, "alice", "jti-1", null));
    }

    [Fact]
    public async Task IsRevoked_follows_revocations_written_elsewhere_only_after_a_refresh_AUTH_5()
    {
        await _cache.RefreshAsync(Ct);
        Revoke(RevocationKind.Subject, Acme, "alice"); // another node wrote it

        Assert.False(_cache.IsRevoked(Acme, "alice", null, null));
        await _cache.RefreshAsync(Ct);

        Assert.True(_cache.IsRevoked(Acme, "alice", null, null));
    }

    [Fact]
    public async Task Apply_holds_at_once_and_survives_a_refresh_that_read_the_store_before_the_write_AUTH_5()
    {
        await _cache.RefreshAsync(Ct);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _feed.Gate = gate;
        var racingRefresh = _cache.RefreshAsync(Ct); // has read the (still empty) store

        var local = Revoke(RevocationKind.Jti, Acme, "jti-1");
        _cache.Apply(local);
        Assert.True(_cache.IsRevoked(Acme, "alice", "jti-1", null));

        gate.SetResult();
        await racingRefresh;

        Assert.True(_cache.IsRevoked(Acme, "alice", "jti-1", null));
        await _cache.RefreshAsync(Ct);
        Assert.True(_cache.IsRevoked(Acme, "alice", "jti-1", null));
    }

    [Fact]
    public void IsRevoked_answers_nothing_revoked_before_the_first_refresh_AUTH_5()
    {
        Assert.False(_cache.IsRevoked(Acme, "alice", "jti-1", "key_1"));
        Assert.Null(_cache.RefreshedAt);
    }
}
