namespace Bulwark.Core.Jobs;

/// <summary>The stored job, and whether this call created it or found it by idempotency key (JOB-5).</summary>
public sealed record EnqueueResult(Job Job, bool Created);
