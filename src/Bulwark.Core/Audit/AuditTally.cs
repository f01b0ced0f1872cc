namespace Bulwark.Core.Audit;

/// <summary>
/// How many audit entries matched and when the earliest of them was written: enough to enforce a
/// sliding-window limit from the shared audit log (NET-3) and to say when it frees up.
/// </summary>
public sealed record AuditTally(int Count, DateTimeOffset? Earliest);
