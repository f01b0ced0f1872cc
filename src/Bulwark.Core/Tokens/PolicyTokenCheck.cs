namespace Bulwark.Core.Tokens;

/// <summary>Why a presented policy token was accepted or refused. For the audit log, never the caller.</summary>
public enum PolicyTokenCheck
{
    Valid,
    /// <summary>Not shaped like one of ours: wrong prefix, wrong number of parts, bad base64, oversize, empty MAC.</summary>
    Malformed,
    /// <summary>Shaped right, but the MAC matches neither secret: tampered, or minted with another secret.</summary>
    BadSignature,
    /// <summary>The MAC matched but the payload is not the claims we mint (cannot happen without a secret).</summary>
    BadPayload,
    Expired,
    /// <summary>Issued in the future, or valid for longer than <see cref="PolicyToken.MaxTtl"/>.</summary>
    BadLifetime,
}
