using Bulwark.Core.Templates;

namespace Bulwark.Core.Jobs;

/// <summary>A job a worker now holds, with the exact template version it must run.</summary>
public sealed record ClaimedJob(Job Job, Lease Lease, DateTimeOffset LeaseExpiresAt, JobTemplate Template);
