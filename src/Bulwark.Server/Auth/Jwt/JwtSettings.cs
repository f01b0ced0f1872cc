using System.Collections.Frozen;
using System.Text;
using Bulwark.Server.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Server.Auth.Jwt;

/// <summary>The JWT settings of <see cref="BulwarkOptions"/> (AUTH-3), checked once and frozen.</summary>
internal sealed class JwtSettings
{
    public const int MinSecretBytes = 32;

    /// <summary>Larger tokens are refused before any parsing: a cheap bound on what an attacker makes us decode.</summary>
    public const int MaxTokenChars = 8 * 1024;

    private static readonly FrozenSet<string> Hmac = FrozenSet.ToFrozenSet([SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512], StringComparer.Ordinal);
    private static readonly FrozenSet<string> Asymmetric = FrozenSet.ToFrozenSet(
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
         SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
         SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512],
        StringComparer.Ordinal);

    private JwtSettings(BulwarkOptions o, IReadOnlyList<string> algorithms)
    {
        AllowedAlgorithms = algorithms.ToFrozenSet(StringComparer.Ordinal);
        Secret = string.IsNullOrEmpty(o.JwtSecret) ? null : new SymmetricSecurityKey(Encoding.UTF8.GetBytes(o.JwtSecret));
        JwksUrl = string.IsNullOrWhiteSpace(o.JwtJwksUrl) ? null : new Uri(o.JwtJwksUrl);
        Issuer = string.IsNullOrWhiteSpace(o.JwtIssuer) ? null : o.JwtIssuer;
        Audience = string.IsNullOrWhiteSpace(o.JwtAudience) ? null : o.JwtAudience;
        ClockSkew = TimeSpan.FromSeconds(o.JwtClockSkewSec);
        MaxLifetime = TimeSpan.FromSeconds(o.JwtMaxLifetimeSec);
        JwksCacheTtl = TimeSpan.FromSeconds(o.JwtJwksCacheSec);
        JwksRefetchFloor = TimeSpan.FromSeconds(o.JwtJwksRefetchFloorSec);
        SubjectClaim = o.JwtSubClaim;
        TenantClaim = o.JwtTenantClaim;
        RolesClaim = o.JwtRolesClaim;
        ScopesClaim = o.JwtScopesClaim;
        RoleScopes = o.RoleScopes;
    }

    public FrozenSet<string> AllowedAlgorithms { get; }
    public SymmetricSecurityKey? Secret { get; }
    public Uri? JwksUrl { get; }
    public string? Issuer { get; }
    public string? Audience { get; }
    public TimeSpan ClockSkew { get; }
    public TimeSpan MaxLifetime { get; }
    public TimeSpan JwksCacheTtl { get; }
    public TimeSpan JwksRefetchFloor { get; }
    public string SubjectClaim { get; }
    public string TenantClaim { get; }
    public string RolesClaim { get; }
    public string ScopesClaim { get; }
    public Core.Identity.RoleScopes RoleScopes { get; }

    public static bool IsHmac(string alg) => Hmac.Contains(alg);

    public static bool IsAsymmetric(string alg) => Asymmetric.Contains(alg);

    /// <summary>Call after <see cref="FirstProblem"/> returned null.</summary>
    public static JwtSettings From(BulwarkOptions o) => new(o, Algorithms(o));

    public static string? FirstProblem(BulwarkOptions o, bool jwtEnabled)
    {
        if (!jwtEnabled)
        {
            return null;
        }

        var hasSecret = !string.IsNullOrEmpty(o.JwtSecret);
        var hasJwks = !string.IsNullOrWhiteSpace(o.JwtJwksUrl);
        if (!hasSecret && !hasJwks)
        {
            return "BULWARK_AUTH_MODE includes jwt, so BULWARK_JWT_SECRET or BULWARK_JWT_JWKS_URL must be set.";
        }

        if (hasJwks && (!Uri.TryCreate(o.JwtJwksUrl, UriKind.Absolute, out var jwks) || jwks.Scheme is not ("http" or "https")))
        {
            return $"BULWARK_JWT_JWKS_URL '{o.JwtJwksUrl}' is not an http(s) URL.";
        }

        foreach (var alg in Algorithms(o))
        {
            if (string.Equals(alg, "none", StringComparison.OrdinalIgnoreCase))
            {
                return "BULWARK_JWT_ALLOWED_ALGS must never include 'none': unsigned tokens are never accepted.";
            }

            if (IsHmac(alg) ? !hasSecret : !IsAsymmetric(alg) || !hasJwks)
            {
                return $"BULWARK_JWT_ALLOWED_ALGS names '{alg}', which needs "
                    + (IsHmac(alg) ? "BULWARK_JWT_SECRET" : IsAsymmetric(alg) ? "BULWARK_JWT_JWKS_URL" : "a known algorithm (HS256/384/512, RS*, PS*, ES*)") + ".";
            }
        }

        if (Algorithms(o).Count == 0)
        {
            return "BULWARK_JWT_ALLOWED_ALGS must name at least one algorithm.";
        }

        if (o.JwtClockSkewSec is < 0 or > 600)
        {
            return "BULWARK_JWT_CLOCK_SKEW_SEC must be between 0 and 600.";
        }

        if (o.JwtMaxLifetimeSec is < 60 or > 31 * 86400)
        {
            return "BULWARK_JWT_MAX_LIFETIME_SEC must be between 60 and 2678400.";
        }

        if (o.JwtJwksCacheSec is < 1 or > 86400)
        {
            return "BULWARK_JWT_JWKS_CACHE_SEC must be between 1 and 86400.";
        }

        if (o.JwtJwksRefetchFloorSec is < 1 or > 3600)
        {
            return "BULWARK_JWT_JWKS_REFETCH_FLOOR_SEC must be between 1 and 3600.";
        }

        foreach (var (name, value) in new[] { ("SUB", o.JwtSubClaim), ("TENANT", o.JwtTenantClaim), ("ROLES", o.JwtRolesClaim), ("SCOPES", o.JwtScopesClaim) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return $"BULWARK_JWT_{name}_CLAIM must not be empty.";
            }
        }

        return null;
    }

    private static List<string> Algorithms(BulwarkOptions o)
    {
        if (!string.IsNullOrWhiteSpace(o.JwtAllowedAlgs))
        {
            return [.. o.JwtAllowedAlgs.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
        }

        var defaults = new List<string>();
        if (!string.IsNullOrEmpty(o.JwtSecret))
        {
            defaults.Add(SecurityAlgorithms.HmacSha256);
        }

        if (!string.IsNullOrWhiteSpace(o.JwtJwksUrl))
        {
            defaults.Add(SecurityAlgorithms.RsaSha256);
            defaults.Add(SecurityAlgorithms.EcdsaSha256);
        }

        return defaults;
    }
}
