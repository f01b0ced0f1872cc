namespace Bulwark.Core.Jobs;

/// <summary>Opaque, time-ordered ids: newest-first listing and cursors follow id order.</summary>
public static class JobIds
{
    public static string New(TimeProvider time) =>
        "job_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
