using System.Buffers.Text;
using System.Text;
using Bulwark.Core.Tokens;

namespace Bulwark.Core.Tests.Tokens;

// AUTHZ-5: the capability token is ours, intact, unexpired, or it is refused.
public sealed class CapabilityTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = CapabilityToken.NewKey();

    private static CapabilityClaims Claims(DateTimeOffset? expires = null) =>
        new("job_0195a1b2c3d4", 2, "ten_acme", expires ?? Now.AddMinutes(5), CapabilityToken.NewTokenId());

    [Fact]
    public void Mint_then_TryVerify_returns_the_same_claims_when_the_token_is_unchanged()
    {
        var claims = Claims();
        var token = CapabilityToken.Mint(Key, claims);

        Assert.StartsWith("bwc1.", token, StringComparison.Ordinal);
        Assert.Equal(3, token.Split('.').Length);
        Assert.True(CapabilityToken.TryVerify(Key, token, Now, out var verified));
        Assert.Equal(claims, verified);
    }

    [Fact]
    public void TryVerify_refuses_when_the_payload_was_tampered_with()
    {
        var parts = CapabilityToken.Mint(Key, Claims()).Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        var forged = payload.Replace("ten_acme", "ten_evil", StringComparison.Ordinal);
        Assert.NotEqual(payload, forged);
        var token = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged))}.{parts[2]}";

        Assert.Equal(CapabilityTokenCheck.BadSignature, CapabilityToken.Check(Key, token, Now, out var claims));
        Assert.Null(claims);
    }

    [Fact]
    public void TryVerify_refuses_when_the_attempt_is_raised_in_the_payload()
    {
        var parts = CapabilityToken.Mint(Key, Claims()).Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"att\":2", "\"att\":3", StringComparison.Ordinal);
        var token = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        Assert.False(CapabilityToken.TryVerify(Key, token, Now, out _));
    }

    [Fact]
    public void TryVerify_refuses_when_one_character_of_the_mac_changed()
    {
        var token = CapabilityToken.Mint(Key, Claims());
        var last = token[^2];
        var tampered = token[..^2] + (last == 'A' ? 'B' : 'A') + token[^1];

        Assert.Equal(CapabilityTokenCheck.BadSignature, CapabilityToken.Check(Key, tampered, Now, out _));
    }

    [Fact]
    public void TryVerify_refuses_when_the_token_was_minted_with_another_key()
    {
        var token = CapabilityToken.Mint(CapabilityToken.NewKey(), Claims());

        Assert.Equal(CapabilityTokenCheck.BadSignature, CapabilityToken.Check(Key, token, Now, out _));
    }

    [Fact]
    public void TryVerify_refuses_when_expired_and_accepts_just_before()
    {
        var token = CapabilityToken.Mint(Key, Claims(Now.AddSeconds(10)));

        Assert.True(CapabilityToken.TryVerify(Key, token, Now.AddSeconds(9), out _));
        Assert.Equal(CapabilityTokenCheck.Expired, CapabilityToken.Check(Key, token, Now.AddSeconds(10), out var claims));
        Assert.Null(claims);
    }

    [Fact]
    public void TryVerify_refuses_when_payload_and_mac_come_from_two_different_tokens()
    {
        var a = CapabilityToken.Mint(Key, Claims()).Split('.');
        var b = CapabilityToken.Mint(Key, Claims()).Split('.');

        Assert.False(CapabilityToken.TryVerify(Key, $"{a[0]}.{a[1]}.{b[2]}", Now, out _));
        Assert.False(CapabilityToken.TryVerify(Key, $"{a[0]}.{a[2]}.{a[1]}", Now, out _));
    }

    [Fact]
    public void TryVerify_refuses_when_the_prefix_is_changed()
    {
        var token = CapabilityToken.Mint(Key, Claims());

        Assert.Equal(CapabilityTokenCheck.Malformed, CapabilityToken.Check(Key, "bwc2" + token[4..], Now, out _));
        Assert.Equal(CapabilityTokenCheck.Malformed, CapabilityToken.Check(Key, "BWC1" + token[4..], Now, out _));
    }

    public static TheoryData<string?> NotTokens => new()
    {
        null,
        "",
        "bwc1",
        "bwc1.",
        "bwc1..",
        "bwc1.abc",
        "bwc1.a.b.c",
        "bwc1.!!!.AAAA",
        "bwk_0123456789abcdef_secretsecretsecretsecretsecretsecret",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "bwc1." + new string('A', 2000) + ".AAAA",
    };

    [Theory]
    [MemberData(nameof(NotTokens))]
    public void TryVerify_refuses_when_the_text_is_not_a_capability_token(string? text)
    {
        Assert.False(CapabilityToken.TryVerify(Key, text, Now, out var claims));
        Assert.Null(claims);
    }

    [Fact]
    public void TryVerify_refuses_a_correctly_signed_payload_that_is_not_our_claims()
    {
        // Only someone with the key could make this; the check still does not trust the shape.
        var payload = Base64Url.EncodeToString("""{"job":"j","att":1,"ten":"t","exp":99999999999,"jti":"x","admin":true}"""u8);
        var signed = "bwc1." + payload;
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(signed));
        var token = signed + "." + Base64Url.EncodeToString(mac);

        Assert.Equal(CapabilityTokenCheck.BadPayload, CapabilityToken.Check(Key, token, Now, out _));
    }

    [Fact]
    public void Mint_refuses_a_key_shorter_than_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => CapabilityToken.Mint(new byte[16], Claims()));
    }
}
