namespace Bulwark.Core.Fences;

/// <summary>A held lock (AUTHZ-6): its name, the fencing number to present with writes, and when it lapses.</summary>
public sealed record LockGrant(string Name, long Fence, DateTimeOffset ExpiresAt);
