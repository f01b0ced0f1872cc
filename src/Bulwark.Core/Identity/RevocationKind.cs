namespace Bulwark.Core.Identity;

/// <summary>What a <see cref="Revocation"/> names (AUTH-5).</summary>
public enum RevocationKind
{
    /// <summary>One token, by its <c>jti</c>.</summary>
    Jti,

    /// <summary>Every credential of one subject within one tenant.</summary>
    Subject,

    /// <summary>One API key, by its id.</summary>
    Key,

    /// <summary>Every credential of one tenant.</summary>
    Tenant,
}
