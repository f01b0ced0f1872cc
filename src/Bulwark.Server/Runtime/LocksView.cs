namespace Bulwark.Server.Runtime;

/// <summary>A held lock as the runtime API answers it: present <c>{Name}:{Fence}</c> as <c>X-Bulwark-Fence</c> with writes.</summary>
internal sealed record LocksView(string Name, long Fence, DateTimeOffset ExpiresAt);
