using System.Net;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth.Jwt;

/// <summary>
/// AUTH-3 (issue 4 item 11): the known JWT attacks, each sent over real HTTP to a real server that
/// accepts HS256 and RS256/ES256 from a JWKS. Every one must get the same 401 problem, create
/// nothing (no job, no user) and leave an <c>auth.failure</c> audit entry (AUD-1, item 10).
/// </summary>
public sealed class JwtAttackTests(JwtServer jwt) : IClassFixture<JwtServer>
{
    /// <summary>Each attack and the reason the audit entry must give (for operators; never sent to the client).</summary>
    public static TheoryData<string, string> Attacks => new()
    {
        { "alg_none", "jwt_alg_not_allowed" },
        { "alg_None", "jwt_alg_not_allowed" },
        { "alg_NONE", "jwt_alg_not_allowed" },
        { "stripped_signature", "jwt_bad_signature" },
        { "wrong_key", "jwt_bad_signature" },
        { "empty_key", "jwt_bad_signature" },
        { "rs_to_hs_confusion_with_public_key_pem", "jwt_bad_signature" },
        { "rs_to_hs_confusion_with_public_key_der", "jwt_bad_signature" },
        { "unknown_kid", "jwt_unknown_key" },
        { "kid_path_traversal", "jwt_unknown_key" },
        { "kid_dev_null_with_empty_key", "jwt_bad_signature" },
        { "kid_sql_injection", "jwt_bad_signature" },
        { "jku_header", "jwt_unknown_key" },
        { "x5u_header", "jwt_unknown_key" },
        { "embedded_jwk_header", "jwt_unknown_key" },
        { "expired", "jwt_expired" },
        { "not_yet_valid", "jwt_not_yet_valid" },
        { "issued_in_the_future", "jwt_issued_in_future" },
        { "no_exp", "jwt_no_exp" },
        { "lifetime_over_max", "jwt_lifetime_too_long" },
        { "lifetime_over_max_by_nbf", "jwt_lifetime_too_long" },
        { "wrong_issuer", "jwt_wrong_issuer" },
        { "wrong_audience", "jwt_wrong_audience" },
        { "tampered_tenant", "jwt_bad_signature" },
        { "tampered_scope", "jwt_bad_signature" },
        { "unknown_tenant", "tenant_unavailable" },
        { "huge_token", "jwt_too_large" },
        { "rs256_signed_by_stranger_with_known_kid", "jwt_bad_signature" },
        { "es256_signed_by_stranger", "jwt_bad_signature" },
        { "hs256_when_alg_header_says_hs512", "jwt_alg_not_allowed" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Forged_token_is_refused_with_401_and_creates_nothing_when_attack_is(string attack, string reason)
    {
        await using var attacker = await KeyServer.StartAsync();
        var token = Forge(attack, attacker);
        var jobsBefore = await jwt.CountAsync("SELECT count(*) FROM jobs");
        var usersBefore = await jwt.CountAsync("SELECT count(*) FROM users");
        var failuresBefore = await jwt.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'auth.failure'");

        using var response = await jwt.Server.SendAsync(HttpMethod.Post, "/v1/jobs", token, new { template = "demo.echo" });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.DoesNotContain("kid", problem.GetProperty("detail").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(jobsBefore, await jwt.CountAsync("SELECT count(*) FROM jobs"));
        Assert.Equal(usersBefore, await jwt.CountAsync("SELECT count(*) FROM users"));
        Assert.Equal(failuresBefore + 1, await jwt.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'auth.failure'"));
        Assert.Equal(0, attacker.AllRequests); // keys named by the token (jku, x5u) are never fetched
        var detail = await jwt.ScalarTextAsync("SELECT detail_json FROM audit_log WHERE action = 'auth.failure' ORDER BY seq DESC LIMIT 1");
        Assert.Equal(reason, System.Text.Json.JsonDocument.Parse(detail).RootElement.GetProperty("reason").GetString());
    }

    [Fact] // AUTH-3: the suite's valid control token really is accepted, so the refusals above mean something
    public async Task Unforged_token_of_the_same_shape_is_accepted_when_nothing_was_changed()
    {
        using var response = await jwt.Server.SendAsync(HttpMethod.Get, "/v1/whoami", jwt.Hs256(TokenForge.Claims(subject: "control")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory] // AUTH-5 with AUTH-3: a revoked jti or subject is refused, even for a token already verified once
    [InlineData("jti")]
    [InlineData("subject")]
    public async Task Revoked_token_is_refused_with_401_and_creates_nothing_when_revoked_by(string by)
    {
        var claims = TokenForge.Claims(subject: "revoked-by-" + by);
        var token = jwt.Hs256(claims);
        await JwtServer.WhoAmIAsync(jwt.Server, token);
        if (by == "jti")
        {
            await jwt.Server.Operator.RevokeTokenAsync((string)claims["jti"]!, "acme", "leaked", CancellationToken.None);
        }
        else
        {
            await jwt.Server.Operator.RevokeSubjectAsync((string)claims["sub"]!, "acme", "left", CancellationToken.None);
        }

        var jobsBefore = await jwt.CountAsync("SELECT count(*) FROM jobs");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await jwt.Server.SendAsync(HttpMethod.Post, "/v1/jobs", token, new { template = "demo.echo" });
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the revocation did not hold within 10 s: {(int)response.StatusCode}");
            await Task.Delay(200);
            jobsBefore = await jwt.CountAsync("SELECT count(*) FROM jobs"); // a submit before the refresh may have landed
        }

        Assert.Equal(jobsBefore, await jwt.CountAsync("SELECT count(*) FROM jobs"));
        Assert.True(await jwt.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'auth.failure' AND detail_json LIKE '%jwt_revoked%'") >= 1);
    }

    private string Forge(string attack, KeyServer attacker)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var stranger = RSA.Create(2048);
        using var strangerEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var claims = TokenForge.Claims(subject: "mallory-" + attack);
        var valid = jwt.Hs256(claims);
        return attack switch
        {
            "alg_none" => TokenForge.Unsigned(new { alg = "none", typ = "JWT" }, claims) + ".",
            "alg_None" => TokenForge.Unsigned(new { alg = "None", typ = "JWT" }, claims) + ".",
            "alg_NONE" => TokenForge.Unsigned(new { alg = "NONE", typ = "JWT" }, claims) + ".",
            "stripped_signature" => valid[..(valid.LastIndexOf('.') + 1)],
            "wrong_key" => TokenForge.Hs256(RandomNumberGenerator.GetBytes(48), claims),
            "empty_key" => TokenForge.Hs256([], claims),
            // The classic confusion: the public key, which anyone can fetch, used as an HMAC secret.
            "rs_to_hs_confusion_with_public_key_pem" => TokenForge.Hs256(Encoding.UTF8.GetBytes(jwt.Rsa.ExportSubjectPublicKeyInfoPem()), claims, new() { ["kid"] = JwtServer.RsaKid }),
            "rs_to_hs_confusion_with_public_key_der" => TokenForge.Hs256(jwt.Rsa.ExportSubjectPublicKeyInfo(), claims, new() { ["kid"] = JwtServer.RsaKid }),
            "unknown_kid" => TokenForge.Rs256(stranger, "rsa-999", claims),
            "kid_path_traversal" => TokenForge.Rs256(stranger, "../../../../etc/passwd", claims),
            "kid_dev_null_with_empty_key" => TokenForge.Hs256([], claims, new() { ["kid"] = "../../../../dev/null" }),
            "kid_sql_injection" => TokenForge.Hs256(Encoding.UTF8.GetBytes("secret"), claims, new() { ["kid"] = "x' UNION SELECT 'secret' --" }),
            "jku_header" => TokenForge.Rs256(stranger, "attacker-1", claims, new() { ["jku"] = new Uri(attacker.BaseAddress, "/attacker-jwks.json").ToString() }),
            "x5u_header" => TokenForge.Rs256(stranger, "attacker-1", claims, new() { ["x5u"] = new Uri(attacker.BaseAddress, "/attacker-cert.pem").ToString() }),
            "embedded_jwk_header" => TokenForge.Rs256(stranger, "attacker-1", claims, new() { ["jwk"] = TokenForge.RsaJwk(stranger, "attacker-1") }),
            "expired" => jwt.Hs256(Edit(claims, c => { c["iat"] = now - 4000; c["nbf"] = now - 4000; c["exp"] = now - 3600; })),
            "not_yet_valid" => jwt.Hs256(Edit(claims, c => { c["nbf"] = now + 3600; c["exp"] = now + 4000; })),
            "issued_in_the_future" => jwt.Hs256(Edit(claims, c => { c["iat"] = now + 3600; c["nbf"] = null; c["exp"] = now + 4000; })),
            "no_exp" => jwt.Hs256(Edit(claims, c => c["exp"] = null)),
            "lifetime_over_max" => jwt.Hs256(Edit(claims, c => c["exp"] = now + 86400 + 3600)),
            "lifetime_over_max_by_nbf" => jwt.Hs256(Edit(claims, c => { c["iat"] = null; c["exp"] = now + 86400 + 3600; })),
            "wrong_issuer" => jwt.Hs256(Edit(claims, c => c["iss"] = "https://evil.test")),
            "wrong_audience" => jwt.Hs256(Edit(claims, c => c["aud"] = "someone-else")),
            "tampered_tenant" => Tamper(valid, Edit(claims, c => c["tenant"] = "default")),
            "tampered_scope" => Tamper(valid, Edit(claims, c => { c["scope"] = "*"; c["roles"] = new[] { "admin" }; })),
            "unknown_tenant" => jwt.Hs256(Edit(claims, c => c["tenant"] = "no-such-tenant")),
            "huge_token" => jwt.Hs256(Edit(claims, c => c["padding"] = new string('x', 12 * 1024))),
            "rs256_signed_by_stranger_with_known_kid" => TokenForge.Rs256(stranger, JwtServer.RsaKid, claims),
            "es256_signed_by_stranger" => TokenForge.Es256(strangerEc, JwtServer.EcKid, claims),
            "hs256_when_alg_header_says_hs512" => ReplaceHeader(valid, new { alg = "HS512", typ = "JWT" }),
            _ => throw new ArgumentOutOfRangeException(nameof(attack), attack, null),
        };
    }

    private static Dictionary<string, object?> Edit(Dictionary<string, object?> claims, Action<Dictionary<string, object?>> change)
    {
        var copy = new Dictionary<string, object?>(claims);
        change(copy);
        return copy;
    }

    /// <summary>The signed token with its payload swapped after signing.</summary>
    private static string Tamper(string token, Dictionary<string, object?> claims)
    {
        var parts = token.Split('.');
        return parts[0] + "." + TokenForge.B64(TokenForge.Json(claims.Where(kv => kv.Value is not null).ToDictionary())) + "." + parts[2];
    }

    private static string ReplaceHeader(string token, object header)
    {
        var parts = token.Split('.');
        return TokenForge.B64(TokenForge.Json(header)) + "." + parts[1] + "." + parts[2];
    }
}
