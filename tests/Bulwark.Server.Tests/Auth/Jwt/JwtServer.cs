using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Server.Hosting;
using Bulwark.Server.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Auth.Jwt;

/// <summary>
/// A real server accepting API keys and JWTs: HS256 with a generated secret and RS256/ES256 from
/// a loopback JWKS server, issuer and audience enforced; tenant <c>acme</c> and <c>demo.echo</c> exist.
/// </summary>
public sealed class JwtServer : IAsyncLifetime
{
    public const string RsaKid = "rsa-1";
    public const string EcKid = "ec-1";

    public byte[] Secret { get; } = RandomNumberGenerator.GetBytes(48);
    public RSA Rsa { get; } = RSA.Create(2048);
    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public KeyServer Keys { get; private set; } = null!;
    public ServerFixture Server { get; private set; } = null!;

    public static string SecretText(byte[] secret) => Convert.ToHexString(secret);

    public async Task InitializeAsync()
    {
        Keys = await KeyServer.StartAsync();
        Keys.Serve(TokenForge.RsaJwk(Rsa, RsaKid), TokenForge.EcJwk(Ec, EcKid));
        Server = await StartAsync(Keys, SecretText(Secret));
        await Server.Operator.CreateTenantAsync("acme", CancellationToken.None);
        await Server.ApplyTemplateAsync(TemplateFiles.Echo);
    }

    public static Task<ServerFixture> StartAsync(KeyServer? keys, string? secret, Action<BulwarkOptions>? configure = null) =>
        ServerFixture.StartAsync(o =>
        {
            o.AuthMode = "api_key,jwt";
            o.JwtSecret = secret;
            o.JwtJwksUrl = keys?.JwksUrl.ToString();
            o.JwtIssuer = TokenForge.Issuer;
            o.JwtAudience = TokenForge.Audience;
            configure?.Invoke(o);
        });

    /// <summary>The HMAC key the server uses: the UTF-8 bytes of the configured secret text.</summary>
    public byte[] HmacKey => Encoding.UTF8.GetBytes(SecretText(Secret));

    public string Hs256(Dictionary<string, object?> claims) => TokenForge.Hs256(HmacKey, claims);

    public async Task<long> CountAsync(string sql)
    {
        await using var db = new SqliteConnection($"Data Source={Server.Options.DatabasePath};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<string> ScalarTextAsync(string sql)
    {
        await using var db = new SqliteConnection($"Data Source={Server.Options.DatabasePath};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<JsonElement> WhoAmIAsync(ServerFixture server, string token)
    {
        using var response = await server.SendAsync(HttpMethod.Get, "/v1/whoami", token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"whoami answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Keys.DisposeAsync();
        Rsa.Dispose();
        Ec.Dispose();
    }
}
