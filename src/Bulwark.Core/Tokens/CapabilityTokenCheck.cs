namespace Bulwark.Core.Tokens;

/// <summary>Why a presented capability token was accepted or refused. For the audit log, never the caller.</summary>
public enum CapabilityTokenCheck
{
    Valid,
    /// <summary>Not shaped like one of ours: wrong prefix, wrong number of parts, bad base64, oversize.</summary>
    Malformed,
    /// <summary>Shaped right, but the MAC does not match: tampered, or minted with another key.</summary>
    BadSignature,
    /// <summary>The MAC matched but the payload is not the claims we mint (cannot happen without our key).</summary>
    BadPayload,
    Expired,
}
