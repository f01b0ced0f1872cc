using System.Buffers;

namespace Bulwark.Core.Redaction;

/// <summary>
/// Anything shaped like a credential (SEC-4), whoever it belongs to: HTTP bearer tokens and
/// <c>Authorization:</c> header values, Bulwark API keys (<c>bwk_…</c>), capability and policy
/// tokens (<c>bwc1.…</c>, <c>bwp1.…</c>), JWTs (<c>eyJ…</c>, a base64url JSON header) and PEM
/// private key blocks. Each is found by its literal start, never by a backtracking regex.
/// </summary>
internal static class CredentialShapes
{
    /// <summary>RFC 6750 <c>b64token</c>.</summary>
    private static readonly SearchValues<char> BearerToken =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=");

    private static readonly SearchValues<char> KeyChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>base64url segments and the dots between them (signed tokens, JWTs).</summary>
    private static readonly SearchValues<char> SignedTokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=");

    /// <summary>Longest BEGIN label looked at: <c>ENCRYPTED PRIVATE KEY-----</c> and the like.</summary>
    public const int PemLabelWindow = 64;

    public const string PemBegin = "-----BEGIN ";
    public const string PemEnd = "-----END ";
    public const string PemPrivateKeyTail = "PRIVATE KEY-----";

    public static readonly IReadOnlyList<RedactionPattern> All =
    [
        new("Bearer ", RedactionKind.Token, IgnoreCase: true, KeepTrigger: true, Alphabet: BearerToken, MinTokenChars: 1, Window: 1),
        new("Authorization:", RedactionKind.RestOfLine, IgnoreCase: true, KeepTrigger: true),
        new("bwk_", RedactionKind.Token, Alphabet: KeyChars, MinTokenChars: 8, Window: 8),
        new("bwc1.", RedactionKind.Token, Alphabet: SignedTokenChars, MinTokenChars: 8, Window: 8),
        new("bwp1.", RedactionKind.Token, Alphabet: SignedTokenChars, MinTokenChars: 8, Window: 8),
        // {"… in base64url: every JWT (and JWS/JWE) starts so; base64'd JSON documents go too.
        new("eyJ", RedactionKind.Token, Alphabet: SignedTokenChars, MinTokenChars: 8, Window: 8),
        new(PemBegin, RedactionKind.PemBlock, Window: PemLabelWindow),
    ];
}
