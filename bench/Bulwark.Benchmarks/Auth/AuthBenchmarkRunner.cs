using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bulwark.Benchmarks.Auth;

/// <summary>
/// Requests per second on <c>GET /v1/whoami</c> of a real server on 127.0.0.1, once per way of
/// authenticating, side by side in one run (issue 4 item 12), in interleaved rounds: no auth, API key, HS256, RS256 with
/// the same token each time (its verification is remembered) and RS256 with a fresh token per
/// request (every request pays a signature check). Bounded by time and count; prints each row's
/// median and its ratio to no auth.
/// </summary>
internal static class AuthBenchmarkRunner
{
    private const int Concurrency = 16;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var seconds = ArgValue(args, "--seconds", 3);
        var maxRequests = ArgValue(args, "--max-requests", 200_000);
        var uncached = ArgValue(args, "--uncached-tokens", 10000);
        var rounds = ArgValue(args, "--rounds", 3);
        if (seconds is < 1 or > 60 || maxRequests < 100 || uncached is < 100 or > 100_000 || rounds is < 1 or > 9)
        {
            await Console.Error.WriteLineAsync("usage: auth [--seconds 1..60] [--max-requests N>=100] [--uncached-tokens 100..100000] [--rounds 1..9]");
            return 2;
        }

        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        using var rsa = RSA.Create(2048);
        await using var jwks = await StartJwksAsync(BenchTokens.Jwks(rsa, "bench-1"));
        var jwksUrl = jwks.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/jwks.json";

        // Enough never-used tokens for every round: a token seen before would be remembered, not verified.
        var fresh = new string[uncached * rounds];
        Parallel.For(0, fresh.Length, i => fresh[i] = BenchTokens.Rs256(rsa, "bench-1"));
        var rsToken = BenchTokens.Rs256(rsa, "bench-1");
        var hsToken = BenchTokens.Hs256(System.Text.Encoding.UTF8.GetBytes(secret));
        var rows = Rows(secret, jwksUrl, hsToken, rsToken, fresh).ToList();

        // One short pass of every row first and thrown away: the rows share this process's JIT, so
        // without it whichever row runs first pays for tiering up the server's common path.
        foreach (var (name, configure, credential) in rows)
        {
            await MeasureAsync(name, configure, credential, seconds, IsUncached(name) ? 0 : maxRequests);
        }

        // Rows interleaved in rounds and each reported by its median: the load of a shared machine
        // drifts over a run, and a row measured once, early or late, would carry that drift.
        var samples = rows.ToDictionary(r => r.Name, _ => new List<AuthLoadResult>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, configure, credential) in rows)
            {
                samples[name].Add(await MeasureAsync(name, configure, credential, seconds, IsUncached(name) ? uncached : maxRequests));
            }
        }

        var results = rows.Select(r => Median(samples[r.Name])).ToList();
        Print(output, results, seconds, rounds);
        return samples.Values.SelectMany(s => s).Any(r => r.Failures > 0) ? 1 : 0;
    }

    private static bool IsUncached(string name) => name.EndsWith("uncached", StringComparison.Ordinal);

    private static AuthLoadResult Median(List<AuthLoadResult> samples) =>
        samples.OrderBy(r => r.PerSecond).ElementAt(samples.Count / 2);

    private static IEnumerable<(string Name, Action<BulwarkOptions> Configure, Func<string?, string?> Credential)> Rows(
        string secret, string jwksUrl, string hsToken, string rsToken, string[] fresh)
    {
        yield return ("none", o => o.AuthMode = "none", _ => null);
        yield return ("api_key", o => o.AuthMode = "api_key", admin => admin);
        yield return ("HS256", Jwt(secret, null), _ => hsToken);
        yield return ("RS256 cached", Jwt(null, jwksUrl), _ => rsToken);
        yield return ("RS256 uncached", Jwt(null, jwksUrl), Sequence(fresh));
    }

    private static Action<BulwarkOptions> Jwt(string? secret, string? jwksUrl) => o =>
    {
        o.AuthMode = "jwt";
        o.JwtSecret = secret;
        o.JwtJwksUrl = jwksUrl;
        o.JwtIssuer = BenchTokens.Issuer;
    };

    /// <summary>Each call the next token; every token is used once.</summary>
    private static Func<string?, string?> Sequence(string[] tokens)
    {
        var next = -1;
        return _ => tokens[Interlocked.Increment(ref next) % tokens.Length];
    }

    private static async Task<AuthLoadResult> MeasureAsync(
        string name, Action<BulwarkOptions> configure, Func<string?, string?> credential, int seconds, int maxRequests)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "bulwark-bench-auth-" + Guid.NewGuid().ToString("N"));
        var options = new BulwarkOptions { DataDir = dataDir, Urls = "http://127.0.0.1:0", Workers = 1 };
        configure(options);
        try
        {
            await using var server = await BulwarkServer.StartAsync(options, TextWriter.Null, CancellationToken.None);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, UseProxy = false })
            {
                BaseAddress = server.BaseAddress,
            };
            var admin = server.BootstrapAdminKey;

            // Warm-up: JIT, connections, the JWKS fetch and first-login provisioning stay out of the numbers.
            await RunLoadAsync(http, () => credential(admin), TimeSpan.FromSeconds(0.5), name.EndsWith("uncached", StringComparison.Ordinal) ? 0 : 2000);

            return await RunLoadAsync(http, () => credential(admin), TimeSpan.FromSeconds(seconds), maxRequests, name);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // a temp dir
            }
        }
    }

    private static async Task<AuthLoadResult> RunLoadAsync(HttpClient http, Func<string?> credential, TimeSpan duration, int maxRequests, string name = "warm-up")
    {
        var issued = 0;
        var ok = 0;
        var failed = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration && Interlocked.Increment(ref issued) <= maxRequests)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/whoami");
                if (credential() is { } token)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        });
        await Task.WhenAll(workers);
        return new AuthLoadResult(name, ok, failed, clock.Elapsed);
    }

    private static async Task<WebApplication> StartJwksAsync(string document)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(http =>
        {
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(document);
        });
        await app.StartAsync();
        return app;
    }

    private static void Print(TextWriter output, List<AuthLoadResult> results, int seconds, int rounds)
    {
        var c = CultureInfo.InvariantCulture;
        var baseline = results[0].PerSecond;
        output.WriteLine(string.Create(c, $"auth: GET /v1/whoami on 127.0.0.1, {Concurrency} concurrent clients, median of {rounds} interleaved rounds of up to {seconds} s per row, {Environment.ProcessorCount} CPUs (client and server share them)"));
        output.WriteLine(string.Create(c, $"| {"credential",-16} | {"requests",9} | {"req/s",9} | {"vs none",7} | {"cost vs none",12} |"));
        output.WriteLine("|------------------|-----------|-----------|---------|--------------|");
        foreach (var r in results)
        {
            var ratio = r.PerSecond / baseline;
            output.WriteLine(string.Create(c, $"| {r.Name,-16} | {r.Requests,9:N0} | {r.PerSecond,9:N0} | {ratio,7:0.00} | {(1 - ratio) * 100,11:0.0}% |"));
            if (r.Failures > 0)
            {
                output.WriteLine(string.Create(c, $"  ({r.Failures} requests of {r.Name} were not 200)"));
            }
        }
    }

    private static int ArgValue(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
