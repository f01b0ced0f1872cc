namespace Bulwark.Client;

/// <summary>What <c>POST /v1/jobs</c> did, told by its status and body.</summary>
public enum SubmitOutcome
{
    /// <summary><c>202</c>: a new job was queued.</summary>
    Created,
    /// <summary><c>200</c>: the idempotency key named an earlier job, which is returned.</summary>
    Existing,
    /// <summary><c>200 {dry_run: true}</c>: everything was checked and nothing was created.</summary>
    DryRun,
}
