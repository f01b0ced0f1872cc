using System.Net;
using System.Security.Cryptography;
using Bulwark.Server.Tests.Support;

namespace Bulwark.Server.Tests.Auth.Jwt;

/// <summary>
/// AUTH-3 key rotation against a loopback JWKS server: a new <c>kid</c> is fetched on demand, the
/// refetch floor holds against invented kids (counted at the JWKS server), and a removed key stops
/// validating once the cache TTL has passed.
/// </summary>
public sealed class JwksRotationTests
{
    [Fact]
    public async Task Jwks_keys_rotate_by_kid_when_provider_adds_and_removes_keys()
    {
        await using var keys = await KeyServer.StartAsync();
        using var first = RSA.Create(2048);
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = RSA.Create(2048);
        keys.Serve(TokenForge.RsaJwk(first, "k1"));
        await using var server = await JwtServer.StartAsync(keys, null, o =>
        {
            o.JwtJwksCacheSec = 5;
            o.JwtJwksRefetchFloorSec = 30;
        });
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        var oldToken = TokenForge.Rs256(first, "k1", TokenForge.Claims());

        await JwtServer.WhoAmIAsync(server, oldToken);
        await JwtServer.WhoAmIAsync(server, oldToken);
        Assert.Equal(1, keys.JwksRequests); // cached

        // The provider publishes a new key: its first token triggers one fetch and is accepted.
        keys.Serve(TokenForge.RsaJwk(first, "k1"), TokenForge.EcJwk(second, "k2"));
        await JwtServer.WhoAmIAsync(server, TokenForge.Es256(second, "k2", TokenForge.Claims(subject: "bob")));
        Assert.Equal(2, keys.JwksRequests);

        // Invented kids inside the floor interval cost the provider nothing more.
        for (var i = 0; i < 5; i++)
        {
            using var refused = await server.SendAsync(HttpMethod.Get, "/v1/whoami", TokenForge.Rs256(stranger, "invented-" + i, TokenForge.Claims()));
            await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        Assert.Equal(2, keys.JwksRequests);

        // The provider drops k1: after the TTL its tokens stop validating, even one already seen.
        keys.Serve(TokenForge.EcJwk(second, "k2"));
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        using (var removed = await server.SendAsync(HttpMethod.Get, "/v1/whoami", oldToken))
        {
            await Problem.AssertAsync(removed, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        Assert.Equal(3, keys.JwksRequests);
        await JwtServer.WhoAmIAsync(server, TokenForge.Es256(second, "k2", TokenForge.Claims(subject: "bob")));
    }

    [Fact] // AUTH-3: a JWKS outage is retried with backoff, not once per request, and recovers
    public async Task Failed_jwks_fetch_is_retried_with_backoff_when_provider_is_down()
    {
        await using var keys = await KeyServer.StartAsync();
        using var rsa = RSA.Create(2048);
        keys.Serve(TokenForge.RsaJwk(rsa, "k1"));
        keys.Failing = true;
        await using var server = await JwtServer.StartAsync(keys, null);
        await server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        var token = TokenForge.Rs256(rsa, "k1", TokenForge.Claims());

        for (var i = 0; i < 5; i++)
        {
            using var refused = await server.SendAsync(HttpMethod.Get, "/v1/whoami", token);
            await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        Assert.Equal(1, keys.JwksRequests); // the first failure backs off (1 s, doubling)

        keys.Failing = false;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await JwtServer.WhoAmIAsync(server, token);
        Assert.Equal(2, keys.JwksRequests);
    }
}
