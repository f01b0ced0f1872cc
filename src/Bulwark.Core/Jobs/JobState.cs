namespace Bulwark.Core.Jobs;

/// <summary>The life of a job (JOB-2). Stored and shown in snake_case.</summary>
public enum JobState
{
    Scheduled,
    Queued,
    Running,
    Retrying,
    Succeeded,
    Failed,
    Cancelled,
    Dead,
}
