using Bulwark.Core.Jobs;
using Bulwark.Server.Workers;

namespace Bulwark.Server.Runtime;

/// <summary>
/// What a run gets to reach the runtime API (BOX-3, AUTHZ-5): its own capability token and the
/// host path of the node's runtime socket. Only a run registered in <see cref="RunningJobs"/>
/// gets a token, so every token minted names a run the authenticator can find.
/// </summary>
internal sealed class RuntimeAccess(RuntimeTokens tokens, RunningJobs runs, RuntimeSocket socket)
{
    public const string TokenVariable = "BULWARK_TASK_TOKEN";

    /// <summary>The token and socket for this attempt, or null when the attempt is not registered here.</summary>
    public RunGrant? GrantFor(ClaimedJob claimed)
    {
        var run = runs.Find(claimed.Lease.JobId);
        if (run is null || run.Lease != claimed.Lease)
        {
            return null;
        }

        return new RunGrant(tokens.Mint(claimed, run.TokenId), socket.Path);
    }
}

/// <param name="Token">The capability token, for <c>BULWARK_TASK_TOKEN</c>.</param>
/// <param name="SocketPath">The runtime socket on the host, for <c>SandboxRequest.RuntimeSocket</c>.</param>
internal sealed record RunGrant(string Token, string SocketPath);
