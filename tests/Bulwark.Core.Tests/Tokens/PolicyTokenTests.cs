using System.Buffers.Text;
using System.Text;
using Bulwark.Core.Tokens;

namespace Bulwark.Core.Tests.Tokens;

// AUTHZ-3, SEC-3: a policy token is ours (current or previous secret), intact and in its lifetime, or it is refused.
public sealed class PolicyTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Current = "current-secret-0123456789-abcdefghij";
    private const string Previous = "previous-secret-0123456789-abcdefgh";
    private static readonly PolicyTokenSecrets Secrets = new(Current);

    private static PolicyClaims Claims(TimeSpan? ttl = null, DateTimeOffset? at = null) =>
        PolicyToken.NewClaims("acme", "alice", "ops.apply", ["ops:write", "ops:read"], at ?? Now, ttl);

    private static string Payload(string token) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1]));

    private static string WithPayload(string token, string payload)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }

    [Fact]
    public void Mint_then_Check_returns_the_same_claims_when_the_token_is_unchanged()
    {
        var claims = Claims();
        var token = PolicyToken.Mint(Secrets, claims);

        Assert.StartsWith("bwp1.", token, StringComparison.Ordinal);
        Assert.Equal(3, token.Split('.').Length);
        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(Secrets, token, Now, out var verified));
        Assert.NotNull(verified);
        Assert.Equal(("acme", "alice", "ops.apply", claims.TokenId), (verified.Tenant, verified.Actor, verified.Action, verified.TokenId));
        Assert.Equal(["ops:write", "ops:read"], verified.Scopes);
        Assert.Equal(claims.IssuedAt, verified.IssuedAt);
        Assert.Equal(claims.ExpiresAt, verified.ExpiresAt);
    }

    [Fact]
    public void NewClaims_lasts_one_hour_by_default_and_refuses_more_than_a_day()
    {
        Assert.Equal(TimeSpan.FromHours(1), Claims().ExpiresAt - Claims().IssuedAt);
        Assert.Equal(TimeSpan.FromHours(24), Claims(TimeSpan.FromHours(24)).ExpiresAt - Now);
        Assert.Throws<ArgumentOutOfRangeException>(() => Claims(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Claims(TimeSpan.Zero));
    }

    [Theory]
    [InlineData("\"tenant\":\"acme\"", "\"tenant\":\"evil\"")]
    [InlineData("\"action\":\"ops.apply\"", "\"action\":\"ops.destroy\"")]
    [InlineData("\"ops:write\",\"ops:read\"", "\"*\"")]
    [InlineData("\"actor\":\"alice\"", "\"actor\":\"root\"")]
    public void Check_refuses_when_a_claim_was_changed(string original, string forged)
    {
        var token = PolicyToken.Mint(Secrets, Claims());
        var payload = Payload(token);
        Assert.Contains(original, payload, StringComparison.Ordinal);

        var tampered = WithPayload(token, payload.Replace(original, forged, StringComparison.Ordinal));

        Assert.Equal(PolicyTokenCheck.BadSignature, PolicyToken.Check(Secrets, tampered, Now, out var claims));
        Assert.Null(claims);
    }

    [Fact]
    public void Check_refuses_when_the_expiry_was_pushed_out()
    {
        var token = PolicyToken.Mint(Secrets, Claims());
        var exp = Now.AddHours(1).ToUnixTimeSeconds();
        var tampered = WithPayload(token, Payload(token).Replace($"\"exp\":{exp}", $"\"exp\":{exp + 86400}", StringComparison.Ordinal));

        Assert.Equal(PolicyTokenCheck.BadSignature, PolicyToken.Check(Secrets, tampered, Now.AddHours(2), out _));
    }

    [Fact]
    public void Check_refuses_when_the_mac_was_changed()
    {
        var token = PolicyToken.Mint(Secrets, Claims());
        var flipped = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        Assert.Equal(PolicyTokenCheck.BadSignature, PolicyToken.Check(Secrets, flipped, Now, out _));
    }

    [Fact]
    public void Check_refuses_when_minted_with_another_secret()
    {
        var token = PolicyToken.Mint(new PolicyTokenSecrets("another-secret-0123456789-abcdefghij"), Claims());

        Assert.Equal(PolicyTokenCheck.BadSignature, PolicyToken.Check(Secrets, token, Now, out _));
    }

    [Fact] // SEC-3
    public void Check_accepts_the_previous_secret_during_rotation_and_refuses_it_after()
    {
        var old = PolicyToken.Mint(new PolicyTokenSecrets(Previous), Claims());
        var rotating = new PolicyTokenSecrets(Current, Previous);

        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(rotating, old, Now, out _));
        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(rotating, PolicyToken.Mint(rotating, Claims()), Now, out _));
        Assert.Equal(PolicyTokenCheck.BadSignature, PolicyToken.Check(Secrets, old, Now, out _));
    }

    [Fact]
    public void Mint_signs_with_the_current_secret_even_during_rotation()
    {
        var token = PolicyToken.Mint(new PolicyTokenSecrets(Current, Previous), Claims());

        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(Secrets, token, Now, out _));
        Assert.Equal(PolicyTokenCheck.BadSignature, PolicyToken.Check(new PolicyTokenSecrets(Previous), token, Now, out _));
    }

    [Fact]
    public void Check_refuses_when_payload_and_mac_are_swapped()
    {
        var parts = PolicyToken.Mint(Secrets, Claims()).Split('.');

        Assert.NotEqual(PolicyTokenCheck.Valid, PolicyToken.Check(Secrets, $"{parts[0]}.{parts[2]}.{parts[1]}", Now, out _));
    }

    [Fact]
    public void Check_refuses_the_mac_of_one_token_on_the_payload_of_another()
    {
        var a = PolicyToken.Mint(Secrets, Claims()).Split('.');
        var b = PolicyToken.Mint(Secrets, PolicyToken.NewClaims("acme", "alice", "ops.destroy", ["*"], Now)).Split('.');

        Assert.Equal(PolicyTokenCheck.BadSignature, PolicyToken.Check(Secrets, $"{a[0]}.{b[1]}.{a[2]}", Now, out _));
    }

    [Fact]
    public void Check_refuses_when_expired()
    {
        var token = PolicyToken.Mint(Secrets, Claims(TimeSpan.FromMinutes(5)));

        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(Secrets, token, Now.AddMinutes(5).AddSeconds(-1), out _));
        Assert.Equal(PolicyTokenCheck.Expired, PolicyToken.Check(Secrets, token, Now.AddMinutes(5), out var claims));
        Assert.Null(claims);
    }

    [Fact]
    public void Check_refuses_when_issued_in_the_future()
    {
        var token = PolicyToken.Mint(Secrets, Claims(at: Now.AddMinutes(10)));

        Assert.Equal(PolicyTokenCheck.BadLifetime, PolicyToken.Check(Secrets, token, Now, out _));
        Assert.Equal(PolicyTokenCheck.Valid, PolicyToken.Check(Secrets, token, Now.AddMinutes(10), out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bwp1")]
    [InlineData("bwp1.")]
    [InlineData("bwp1..")]
    [InlineData("bwp1.e30.")]
    [InlineData("bwp1.e30")]
    [InlineData("bwp1.a.b.c")]
    [InlineData("bwp2.e30.AAAA")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.")]
    public void Check_refuses_malformed_tokens_when_their_shape_is_wrong(string token)
    {
        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, token, Now, out _));
    }

    [Fact]
    public void Check_refuses_none_style_empty_or_short_mac()
    {
        var parts = PolicyToken.Mint(Secrets, Claims()).Split('.');

        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, $"{parts[0]}.{parts[1]}.", Now, out _));
        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, $"{parts[0]}.{parts[1]}", Now, out _));
        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, $"{parts[0]}.{parts[1]}.{parts[2][..10]}", Now, out _));
    }

    [Fact]
    public void Check_refuses_a_capability_token_and_other_prefixes()
    {
        var capability = CapabilityToken.Mint(CapabilityToken.NewKey(), new CapabilityClaims("job_1", 1, "ten_1", Now.AddMinutes(5), "t"));
        var policy = PolicyToken.Mint(Secrets, Claims());

        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, capability, Now, out _));
        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, "bwc1" + policy[4..], Now, out _));
    }

    [Fact]
    public void Check_refuses_huge_tokens_before_decoding()
    {
        var parts = PolicyToken.Mint(Secrets, Claims()).Split('.');
        var huge = $"{parts[0]}.{new string('A', 1_000_000)}.{parts[2]}";

        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, huge, Now, out _));
        Assert.Equal(PolicyTokenCheck.Malformed, PolicyToken.Check(Secrets, null, Now, out _));
    }

    [Fact]
    public void Mint_refuses_claims_when_they_are_too_big_or_live_too_long()
    {
        var many = Enumerable.Range(0, PolicyToken.MaxScopes + 1).Select(i => $"s:{i}").ToList();

        Assert.Throws<ArgumentException>(() => PolicyToken.Mint(Secrets, PolicyToken.NewClaims("acme", "alice", "ops.apply", many, Now)));
        Assert.Throws<ArgumentException>(() => PolicyToken.Mint(Secrets, Claims() with { ExpiresAt = Now.AddDays(2) }));
        Assert.Throws<ArgumentException>(() => PolicyToken.Mint(Secrets, Claims() with { Tenant = "" }));
    }

    [Fact]
    public void Secrets_refuse_a_secret_when_shorter_than_32_characters()
    {
        Assert.Throws<ArgumentException>(() => new PolicyTokenSecrets(new string('x', 31)));
        Assert.Throws<ArgumentException>(() => new PolicyTokenSecrets(Current, new string('x', 31)));
        Assert.True(PolicyTokenSecrets.IsStrong(new string('x', 32)));
        Assert.False(PolicyTokenSecrets.IsStrong(null));
    }
}
