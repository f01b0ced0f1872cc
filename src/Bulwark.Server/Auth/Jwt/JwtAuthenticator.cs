using System.Collections.Concurrent;
using System.Text.Json;
using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Server.Auth.Jwt;

/// <summary>
/// JWT bearer tokens (AUTH-3). The header's <c>alg</c> must be one the operator allowed, and it
/// alone picks the key family: HMAC algorithms get only the configured secret, RS/ES algorithms
/// get only keys from the JWKS URL, so a public key can never be used as an HMAC secret (RS→HS
/// confusion) and <c>none</c> never verifies. <c>kid</c> is a lookup key and nothing else;
/// <c>jku</c>, <c>x5u</c> and <c>jwk</c> headers are ignored. Then exp (required), nbf, iat,
/// issuer, audience and the maximum lifetime; then the tenant (must exist, not suspended) and the
/// revocation check (AUTH-5). A verified token is remembered until it expires, so a client reusing
/// its token pays for one signature check, not one per request.
/// </summary>
internal sealed class JwtAuthenticator : ICredentialAuthenticator
{
    public const string Method = "jwt";
    private const int MaxRemembered = 10_000;
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan TenantFreshFor = TimeSpan.FromSeconds(1);

    private readonly JwtSettings _settings;
    private readonly JwksKeySource? _jwks;
    private readonly IBulwarkStore _store;
    private readonly AuditTrail _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<JwtAuthenticator> _logger;
    private readonly IRevocationCheck _revocations;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = JwtSettings.MaxTokenChars };
    private readonly TokenValidationParameters _parameters;
    private readonly IReadOnlyList<SecurityKey> _secret;
    private readonly ConcurrentDictionary<string, ValidatedToken> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string Subject), DateTimeOffset> _seen = new();
    private readonly ConcurrentDictionary<string, (Tenant? Tenant, DateTimeOffset ReadAt)> _tenants = new(StringComparer.Ordinal);

    public JwtAuthenticator(
        JwtSettings settings,
        IBulwarkStore store,
        AuditTrail audit,
        TimeProvider time,
        ILogger<JwtAuthenticator> logger,
        IRevocationCheck revocations,
        JwksKeySource? jwks = null)
    {
        _settings = settings;
        _jwks = jwks;
        _store = store;
        _audit = audit;
        _time = time;
        _logger = logger;
        _revocations = revocations;
        _secret = settings.Secret is { } secret ? [secret] : [];
        _parameters = new TokenValidationParameters
        {
            ValidAlgorithms = settings.AllowedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = settings.ClockSkew,
            ValidateIssuer = settings.Issuer is not null,
            ValidIssuer = settings.Issuer,
            ValidateAudience = settings.Audience is not null,
            ValidAudience = settings.Audience,
            ValidateIssuerSigningKey = false,
            // The candidate keys are already only those the alg and kid allow; nothing else is tried.
            TryAllIssuerSigningKeys = true,
        };
    }

    public async Task<AuthenticationOutcome> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        var presented = BearerToken.From(http.Request);
        if (presented is null || !LooksLikeJwt(presented))
        {
            return AuthenticationOutcome.None;
        }

        if (presented.Length > JwtSettings.MaxTokenChars)
        {
            return Refused("jwt_too_large");
        }

        // A token verified before, byte for byte, has the same header and signature: only its
        // lifetime and whether its key is still trusted can have changed, so nothing is parsed again.
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(presented, out var remembered)
            && now <= remembered.Expires + _settings.ClockSkew
            && IsStillTrusted(remembered.Key))
        {
            return await AcceptAsync(http, remembered, now, ct);
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(presented);
        }
        catch (ArgumentException)
        {
            return Refused("jwt_malformed");
        }

        // Exact, case-sensitive: "none", "None", "NONE" and every unlisted algorithm stop here.
        var alg = jwt.Alg;
        if (string.IsNullOrEmpty(alg) || !_settings.AllowedAlgorithms.Contains(alg))
        {
            return Refused("jwt_alg_not_allowed");
        }

        IReadOnlyList<SecurityKey> keys = JwtSettings.IsHmac(alg)
            ? _secret
            : _jwks is not null && JwtSettings.IsAsymmetric(alg)
                ? await _jwks.KeysForAsync(jwt.Kid is { Length: <= 256 } kid ? kid : null, ct)
                : [];
        if (keys.Count == 0)
        {
            return Refused("jwt_unknown_key");
        }

        var verified = await VerifyAsync(jwt, keys, now);
        if (verified is AuthenticationOutcome refusal)
        {
            return refusal;
        }

        var token = (ValidatedToken)verified;
        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified[presented] = token;
        return await AcceptAsync(http, token, now, ct);
    }

    /// <summary>What every verified token goes through, remembered or not: tenant, revocation, provisioning.</summary>
    private async Task<AuthenticationOutcome> AcceptAsync(HttpContext http, ValidatedToken token, DateTimeOffset now, CancellationToken ct)
    {
        var tenant = await FindTenantAsync(token.TenantName, now, ct);
        if (tenant is null || tenant.Suspended)
        {
            return new AuthenticationOutcome.Refused("tenant_unavailable", tenant?.Id, token.Subject);
        }

        // AUTH-5: asked on every request, remembered verification or not, so a revocation holds at once.
        if (_revocations.IsRevoked(tenant.Id, token.Subject, token.TokenId, null))
        {
            return new AuthenticationOutcome.Refused("jwt_revoked", tenant.Id, token.TokenId ?? token.Subject);
        }

        var scope = TenantScope.Of(tenant);
        await ProvisionAsync(http, scope, token, now, ct);
        return new AuthenticationOutcome.Succeeded(new Principal(
            scope,
            token.Subject,
            Method,
            token.Roles,
            _settings.RoleScopes.Effective(token.Scopes, token.Roles)));
    }

    /// <summary>A <see cref="ValidatedToken"/>, or the refusal.</summary>
    private async Task<object> VerifyAsync(JsonWebToken jwt, IReadOnlyList<SecurityKey> keys, DateTimeOffset now)
    {
        var parameters = _parameters.Clone();
        parameters.IssuerSigningKeys = keys;
        var result = await _handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
        {
            return Refused(result.Exception switch
            {
                SecurityTokenNoExpirationException => "jwt_no_exp",
                SecurityTokenExpiredException => "jwt_expired",
                SecurityTokenNotYetValidException => "jwt_not_yet_valid",
                SecurityTokenInvalidIssuerException => "jwt_wrong_issuer",
                SecurityTokenInvalidAudienceException => "jwt_wrong_audience",
                SecurityTokenInvalidAlgorithmException => "jwt_alg_not_allowed",
                // Candidate keys were found (else refused above), so "no key matched" means a bad signature.
                SecurityTokenSignatureKeyNotFoundException => "jwt_bad_signature",
                SecurityTokenInvalidSignatureException => "jwt_bad_signature",
                _ => "jwt_invalid",
            });
        }

        var validated = (JsonWebToken)result.SecurityToken;
        var expires = new DateTimeOffset(validated.ValidTo, TimeSpan.Zero);
        var issuedAt = validated.IssuedAt == DateTime.MinValue ? (DateTimeOffset?)null : new DateTimeOffset(validated.IssuedAt, TimeSpan.Zero);
        var notBefore = validated.ValidFrom == DateTime.MinValue ? (DateTimeOffset?)null : new DateTimeOffset(validated.ValidFrom, TimeSpan.Zero);
        if (issuedAt > now + _settings.ClockSkew)
        {
            return Refused("jwt_issued_in_future");
        }

        // A stolen long-lived token is a long-lived breach: the provider may not mint one we accept.
        if (expires - (issuedAt ?? notBefore ?? now) > _settings.MaxLifetime
            || (notBefore is { } nbf && expires - nbf > _settings.MaxLifetime))
        {
            return Refused("jwt_lifetime_too_long");
        }

        if (!validated.TryGetPayloadValue<string>(_settings.SubjectClaim, out var subject) || subject is not { Length: > 0 and <= 200 })
        {
            return Refused("jwt_no_subject");
        }

        if (!validated.TryGetPayloadValue<string>(_settings.TenantClaim, out var tenant) || !Identifiers.IsValid(tenant))
        {
            return Refused("jwt_no_tenant");
        }

        validated.TryGetPayloadValue<string>("email", out var email);
        return new ValidatedToken(
            subject,
            tenant,
            Words(validated, _settings.RolesClaim),
            [.. Words(validated, _settings.ScopesClaim).Where(Scopes.IsWellFormed)],
            email is { Length: <= 320 } ? email : null,
            string.IsNullOrEmpty(validated.Id) ? null : validated.Id,
            expires,
            result.SecurityToken.SigningKey ?? keys[0]);
    }

    /// <summary>
    /// The token's tenant, read from the store at most once a second per tenant: a suspension or
    /// deletion holds on this node within a second, and a busy client costs no store read per request.
    /// </summary>
    private async ValueTask<Tenant?> FindTenantAsync(string name, DateTimeOffset now, CancellationToken ct)
    {
        if (_tenants.TryGetValue(name, out var known) && now - known.ReadAt < TenantFreshFor)
        {
            return known.Tenant;
        }

        var tenant = await _store.FindTenantByNameAsync(name, ct);
        if (_tenants.Count >= MaxRemembered)
        {
            _tenants.Clear();
        }

        _tenants[name] = (tenant, now);
        return tenant;
    }

    /// <summary>The secret is fixed for the process; a JWKS key only while it is among fresh keys (removed keys end).</summary>
    private bool IsStillTrusted(SecurityKey key) =>
        key is SymmetricSecurityKey
            ? _secret.Count > 0 && ReferenceEquals(_secret[0], key)
            : _jwks is not null && _jwks.IsCurrent(key);

    /// <summary>AUTH-6: the first valid token of an unknown subject creates its user record.</summary>
    private async Task ProvisionAsync(HttpContext http, TenantScope scope, ValidatedToken token, DateTimeOffset now, CancellationToken ct)
    {
        var key = (scope.TenantId, token.Subject);
        if (_seen.TryGetValue(key, out var touched) && now - touched < TouchEvery)
        {
            return;
        }

        var created = await _store.EnsureUserAsync(scope, new UserRecord(scope.TenantId, token.Subject, token.Email, token.Roles, now, now), ct);
        if (_seen.Count >= MaxRemembered)
        {
            _seen.Clear();
        }

        _seen[key] = now;
        if (created)
        {
            JwtLog.UserProvisioned(_logger, token.Subject, scope.TenantName);
            var detail = JsonSerializer.Serialize(new Dictionary<string, object?> { ["roles"] = token.Roles, ["email"] = token.Email });
            await _audit.RecordAsync(
                _audit.Entry(http, scope.TenantId, token.Subject, "user.provision", token.Subject, "success", detail),
                ct);
        }
    }

    /// <summary>A claim given as a space-separated string or as an array of strings.</summary>
    private static string[] Words(JsonWebToken jwt, string claim)
    {
        var words = new List<string>();
        foreach (var c in jwt.Claims)
        {
            if (c.Type == claim)
            {
                foreach (var word in c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (word.Length <= 100 && !words.Contains(word, StringComparer.Ordinal))
                    {
                        words.Add(word);
                    }
                }
            }
        }

        return [.. words];
    }

    /// <summary>
    /// A compact JWS/JWE (two or four dots) that is not one of Bulwark's own tokens: API keys
    /// (<c>bwk_</c>) and capability tokens (<c>bwc1.</c>) go to their own authenticators.
    /// </summary>
    private static bool LooksLikeJwt(string token)
    {
        if (token.StartsWith("bw", StringComparison.Ordinal))
        {
            return false;
        }

        var dots = token.AsSpan().Count('.');
        return dots is 2 or 4;
    }

    private static AuthenticationOutcome.Refused Refused(string reason) => new(reason, null, null);
}
