using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Triggers;

/// <summary>A cron trigger whose <see cref="Due"/> occurrence has come, and the tenant to act under.</summary>
public sealed record DueTrigger(TenantScope Tenant, string Name, DateTimeOffset Due);
