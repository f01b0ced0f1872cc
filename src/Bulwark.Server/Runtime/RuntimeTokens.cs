using Bulwark.Core.Jobs;
using Bulwark.Core.Tokens;

namespace Bulwark.Server.Runtime;

/// <summary>
/// Mints and checks this node's capability tokens (AUTHZ-5). The key is 32 random bytes made at
/// process start and never stored or shared: a token is only ever presented on this node's
/// runtime socket by a run this node started, so no other node needs to verify it, and a
/// restart invalidates every token along with the runs it killed.
/// </summary>
internal sealed class RuntimeTokens(TimeProvider time)
{
    /// <summary>How long past the template's timeout a token still verifies (the run is killed at the timeout).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    private readonly byte[] _key = CapabilityToken.NewKey();

    public string Mint(ClaimedJob claimed, string tokenId)
    {
        var expires = time.GetUtcNow() + TimeSpan.FromSeconds(claimed.Template.Definition.Limits.TimeoutSeconds) + Grace;
        return CapabilityToken.Mint(
            _key,
            new CapabilityClaims(claimed.Lease.JobId, claimed.Lease.Attempt, claimed.Job.TenantId, expires, tokenId));
    }

    public CapabilityTokenCheck Check(string? token, out CapabilityClaims? claims) =>
        CapabilityToken.Check(_key, token, time.GetUtcNow(), out claims);
}
