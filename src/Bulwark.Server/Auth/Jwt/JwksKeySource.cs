using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Server.Auth.Jwt;

/// <summary>
/// The identity provider's public keys (AUTH-3), fetched from the one configured JWKS URL. Keys are
/// used for a TTL, then fetched again; a failed fetch keeps the last good keys and backs off
/// (1 s doubling to 5 min) so an outage of the provider is not amplified into a storm. A token
/// naming an unknown <c>kid</c> (rotation) triggers a fetch at most once per floor interval, so a
/// flood of invented kids costs the provider one request per floor, not one per token. Keys named
/// by the token itself (<c>jku</c>, <c>x5u</c>, <c>jwk</c>) are never fetched or used.
/// </summary>
internal sealed class JwksKeySource : IDisposable
{
    private const int MaxDocumentBytes = 1024 * 1024;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private readonly Uri _url;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _floor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _fetch = new(1, 1);

    private volatile KeySet? _keys;
    private DateTimeOffset _lastUnknownKidFetch = DateTimeOffset.MinValue;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
    private int _failures;

    public JwksKeySource(Uri url, TimeSpan ttl, TimeSpan refetchFloor, TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        _url = url;
        _ttl = ttl;
        _floor = refetchFloor;
        _time = time;
        _logger = logger;
        // No redirects: the configured URL is the only place keys come from.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(5),
            MaxResponseContentBufferSize = MaxDocumentBytes,
        };
    }

    /// <summary>
    /// The key named <paramref name="kid"/> (or every key when the token names none); empty when
    /// there is no such key even after the refetch the floor allows.
    /// </summary>
    public async ValueTask<IReadOnlyList<SecurityKey>> KeysForAsync(string? kid, CancellationToken ct)
    {
        var keys = _keys;
        if (keys is null || _time.GetUtcNow() - keys.FetchedAt >= _ttl)
        {
            keys = await RefreshAsync(unknownKid: false, ct);
        }

        if (keys is null)
        {
            return [];
        }

        if (string.IsNullOrEmpty(kid))
        {
            return keys.All;
        }

        if (keys.ByKid.TryGetValue(kid, out var key))
        {
            return [key];
        }

        keys = await RefreshAsync(unknownKid: true, ct);
        return keys is not null && keys.ByKid.TryGetValue(kid, out key) ? [key] : [];
    }

    /// <summary>True while <paramref name="key"/> is among the current keys (cached validations of removed keys end).</summary>
    public bool IsCurrent(SecurityKey key)
    {
        var keys = _keys;
        return keys is not null && _time.GetUtcNow() - keys.FetchedAt < _ttl && Array.IndexOf(keys.All, key) >= 0;
    }

    private async Task<KeySet?> RefreshAsync(bool unknownKid, CancellationToken ct)
    {
        await _fetch.WaitAsync(ct);
        try
        {
            var now = _time.GetUtcNow();
            var keys = _keys;
            if (unknownKid)
            {
                if (now - _lastUnknownKidFetch < _floor)
                {
                    return keys;
                }

                _lastUnknownKidFetch = now;
            }
            else if (keys is not null && now - keys.FetchedAt < _ttl)
            {
                return keys; // another request refreshed while this one waited
            }

            if (now < _retryAt)
            {
                return keys;
            }

            try
            {
                var fetched = await FetchAsync(ct);
                _keys = fetched;
                _failures = 0;
                _retryAt = DateTimeOffset.MinValue;
                JwtLog.JwksFetched(_logger, _url, fetched.All.Length);
                return fetched;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, _failures - 1), MaxBackoff.TotalSeconds));
                _retryAt = now + backoff;
                JwtLog.JwksFetchFailed(_logger, _url, backoff.TotalSeconds, e.Message);
                return keys;
            }
        }
        finally
        {
            _fetch.Release();
        }
    }

    private async Task<KeySet> FetchAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync(_url, ct);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsStringAsync(ct);
        var set = new JsonWebKeySet(json);
        var all = new List<SecurityKey>();
        var byKid = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var jwk in set.Keys)
        {
            // Only public signing keys: a symmetric ("oct") key in a JWKS would let anyone who can
            // read the JWKS — everyone — sign tokens; "enc" keys are not for signatures.
            if (jwk.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
                || string.Equals(jwk.Use, JsonWebKeyUseNames.Enc, StringComparison.Ordinal)
                || jwk.HasPrivateKey)
            {
                continue;
            }

            if (!JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var key))
            {
                continue;
            }

            key.KeyId = jwk.Kid;
            all.Add(key);
            if (!string.IsNullOrEmpty(jwk.Kid))
            {
                byKid.TryAdd(jwk.Kid, key);
            }
        }

        return new KeySet(byKid.ToFrozenDictionary(StringComparer.Ordinal), [.. all], _time.GetUtcNow());
    }

    public void Dispose()
    {
        _http.Dispose();
        _fetch.Dispose();
    }

    private sealed record KeySet(FrozenDictionary<string, SecurityKey> ByKid, SecurityKey[] All, DateTimeOffset FetchedAt);
}
