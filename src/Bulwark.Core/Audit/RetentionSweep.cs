using Bulwark.Core.Retention;

namespace Bulwark.Core.Audit;

/// <summary>
/// AUD-3: what one retention sweep is to remove: audit entries written before <see cref="AuditBefore"/>
/// (through a checkpoint per chain; a tenant's chain by its tenant's cutoff, the system chain by
/// the default) and finished jobs (with their attempts, logs and variables) that finished before
/// <see cref="JobsBefore"/>.
/// </summary>
public sealed record RetentionCutoffs(TenantCutoffs AuditBefore, TenantCutoffs JobsBefore);

/// <summary>What a sweep removed, and how many checkpoints it appended.</summary>
public sealed record RetentionSweep(long AuditEntriesRemoved, int Checkpoints, long JobsRemoved);
