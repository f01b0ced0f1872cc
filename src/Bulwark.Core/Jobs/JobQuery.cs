namespace Bulwark.Core.Jobs;

/// <summary>Filters for listing a tenant's jobs, newest first. <see cref="Cursor"/> is the last id of the previous page.</summary>
public sealed record JobQuery(JobState? State = null, string? TemplateKey = null, int Limit = 50, string? Cursor = null)
{
    public const int MaxLimit = 500;
}

public sealed record JobPage(IReadOnlyList<Job> Jobs, string? NextCursor);
