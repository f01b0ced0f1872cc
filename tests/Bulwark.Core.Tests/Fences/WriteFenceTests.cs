using Bulwark.Core.Errors;
using Bulwark.Core.Fences;

namespace Bulwark.Core.Tests.Fences;

/// <summary>The fence header and the one fence check every store runs (AUTHZ-6).</summary>
public sealed class WriteFenceTests
{
    [Theory]
    [InlineData("deploy:1", "deploy", 1)]
    [InlineData("db.migrate:42", "db.migrate", 42)]
    [InlineData("ns:lock:7", "ns:lock", 7)]
    public void Fence_parses_lock_and_number_when_well_formed(string text, string name, long number) =>
        Assert.Equal(new WriteFence(name, number), WriteFence.Parse(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("deploy")]
    [InlineData("deploy:")]
    [InlineData(":1")]
    [InlineData("deploy:0")]
    [InlineData("deploy:-1")]
    [InlineData("deploy:+1")]
    [InlineData("deploy: 1")]
    [InlineData("deploy:1x")]
    [InlineData("deploy:99999999999999999999")]
    [InlineData("de ploy:1")]
    [InlineData("../etc:1")]
    public void Fence_is_refused_as_invalid_fence_when_malformed(string? text) =>
        Assert.Equal("invalid_fence", Assert.Throws<InvalidPayloadException>(() => WriteFence.Parse(text)).Code);

    [Fact]
    public void Check_passes_when_the_fence_is_current_and_held_by_the_writer() =>
        Locks.CheckFence(new WriteFence("deploy", 3), "job_a", 3, "job_a");

    [Theory]
    [InlineData(2, 3, "job_a", "fence_stale")]     // taken over since: superseded
    [InlineData(2, 3, "job_b", "fence_stale")]
    [InlineData(4, 3, "job_a", "fence_not_held")]  // never issued
    [InlineData(3, 3, "job_b", "fence_not_held")]  // someone else's
    [InlineData(3, 3, null, "fence_not_held")]     // released
    [InlineData(1, null, null, "fence_not_held")]  // no such lock
    public void Check_refuses_when_the_fence_is_superseded_or_not_the_writers(int presented, int? current, string? owner, string code) =>
        Assert.Equal(code, Assert.Throws<ConflictException>(() =>
            Locks.CheckFence(new WriteFence("deploy", presented), "job_a", current, owner)).Code);

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(3601)]
    public void Ttl_is_refused_when_missing_or_out_of_range(int? seconds) =>
        Assert.Throws<InvalidPayloadException>(() => Locks.RequireTtl(seconds));
}
