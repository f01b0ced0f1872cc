namespace Bulwark.Core.RateLimits;

/// <summary>
/// One budget of NET-3, counted per trusted identity (tenant id, subject). <see cref="Name"/> is
/// what the store keys the count by and what a refusal's audit entry names.
/// </summary>
public sealed record RateBucket
{
    private RateBucket(string name) => Name = name;

    public string Name { get; }

    /// <summary>Job submissions (<c>POST /v1/jobs</c>).</summary>
    public static RateBucket Jobs { get; } = new("jobs");

    /// <summary>Events, from the user API and from the runtime API.</summary>
    public static RateBucket Events { get; } = new("events");

    /// <summary>Reads that cost the store more than one row: job lists, audit pages, log follows.</summary>
    public static RateBucket Heavy { get; } = new("heavy");

    public override string ToString() => Name;
}
