using Bulwark.Core.Keys;

namespace Bulwark.Core.Tests.Keys;

// AUTH-2: random keys, shown once, stored only as a hash, compared in constant time.
public sealed class ApiKeysTests
{
    private static ApiKeyRecord Record(ApiKeys.Minted minted) => new()
    {
        Id = minted.Id,
        TenantId = "ten_1",
        Name = "test",
        Scopes = ["jobs:read"],
        SecretHash = minted.SecretHash,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void Mint_TryParse_Verify_round_trip_when_the_key_is_presented_unchanged()
    {
        var minted = ApiKeys.Mint();

        Assert.True(ApiKeys.TryParse(minted.Plaintext, out var id, out var secret));
        Assert.Equal(minted.Id, id);
        Assert.True(ApiKeys.Verify(Record(minted), secret));
    }

    [Fact]
    public void Mint_gives_distinct_keys_when_called_twice()
    {
        var a = ApiKeys.Mint();
        var b = ApiKeys.Mint();

        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual(a.Plaintext, b.Plaintext);
        Assert.StartsWith("bwk_", a.Plaintext, StringComparison.Ordinal);
        Assert.StartsWith("key_", a.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void Mint_stores_only_the_hash_when_minting()
    {
        var minted = ApiKeys.Mint();
        ApiKeys.TryParse(minted.Plaintext, out _, out var secret);

        Assert.Equal(32, minted.SecretHash.Length);
        Assert.Equal(ApiKeys.Hash(secret), minted.SecretHash);
        Assert.DoesNotContain(secret, Convert.ToHexString(minted.SecretHash), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_fails_when_one_character_of_the_secret_changed()
    {
        var minted = ApiKeys.Mint();
        ApiKeys.TryParse(minted.Plaintext, out _, out var secret);
        var changed = (secret[0] == 'A' ? 'B' : 'A') + secret[1..];

        Assert.False(ApiKeys.Verify(Record(minted), changed));
    }

    [Fact]
    public void Verify_fails_when_the_secret_belongs_to_another_key()
    {
        var a = ApiKeys.Mint();
        var b = ApiKeys.Mint();
        ApiKeys.TryParse(b.Plaintext, out _, out var secretOfB);

        Assert.False(ApiKeys.Verify(Record(a), secretOfB));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bwk_")]
    [InlineData("Bearer bwk_0123456789abcdef_abcdefghijklmnopqrstuvwxyzABCDEF")]
    [InlineData("xyz_0123456789abcdef_abcdefghijklmnopqrstuvwxyzABCDEF")]
    [InlineData("bwk_0123456789abcde_abcdefghijklmnopqrstuvwxyzABCDEFG")]
    [InlineData("bwk_0123456789abcdef_short")]
    [InlineData("bwk_0123456789abcdefabcdefghijklmnopqrstuvwxyzABCDEF")]
    public void TryParse_rejects_a_string_when_it_is_not_shaped_like_a_key(string? presented)
    {
        Assert.False(ApiKeys.TryParse(presented, out _, out _));
    }

    [Fact]
    public void TryParse_rejects_a_string_when_it_is_absurdly_long()
    {
        Assert.False(ApiKeys.TryParse("bwk_0123456789abcdef_" + new string('a', 300), out _, out _));
    }

    [Fact]
    public void IsUsableAt_is_false_when_the_key_is_revoked_or_expired()
    {
        var now = DateTimeOffset.UnixEpoch.AddDays(10);
        var record = Record(ApiKeys.Mint());

        Assert.True(record.IsUsableAt(now));
        Assert.False((record with { RevokedAt = now.AddDays(-1) }).IsUsableAt(now));
        Assert.False((record with { ExpiresAt = now }).IsUsableAt(now));
        Assert.True((record with { ExpiresAt = now.AddSeconds(1) }).IsUsableAt(now));
    }
}
