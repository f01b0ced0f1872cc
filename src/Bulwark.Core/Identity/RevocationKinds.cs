namespace Bulwark.Core.Identity;

/// <summary>The stored names of <see cref="RevocationKind"/>: <c>jti</c>, <c>subject</c>, <c>key</c>, <c>tenant</c>.</summary>
public static class RevocationKinds
{
    public static string ToName(this RevocationKind kind) => kind switch
    {
        RevocationKind.Jti => "jti",
        RevocationKind.Subject => "subject",
        RevocationKind.Key => "key",
        RevocationKind.Tenant => "tenant",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown revocation kind."),
    };

    public static RevocationKind Parse(string name) => name switch
    {
        "jti" => RevocationKind.Jti,
        "subject" => RevocationKind.Subject,
        "key" => RevocationKind.Key,
        "tenant" => RevocationKind.Tenant,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown revocation kind."),
    };
}
