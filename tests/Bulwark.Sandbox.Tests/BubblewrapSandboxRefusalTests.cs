using Bulwark.Core.Errors;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox.Tests;

/// <summary>BOX-5: when the sandbox cannot be set up, or a request is unsafe, nothing runs.</summary>
public sealed class BubblewrapSandboxRefusalTests
{
    [Fact]
    public void Health_is_unusable_with_a_reason_when_bwrap_is_missing()
    {
        using var sandbox = new TestSandbox(o => new BubblewrapOptions { WorkRoot = o.WorkRoot, BwrapPath = "bwrap-does-not-exist" });

        var health = sandbox.Sandbox.Health;

        Assert.False(health.Usable);
        Assert.Equal("bwrap", health.Mode);
        Assert.Contains("bwrap-does-not-exist", health.Detail, StringComparison.Ordinal);
        Assert.Contains("apt-get install bubblewrap", health.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_throws_sandbox_unavailable_and_starts_nothing_when_bwrap_is_missing()
    {
        using var sandbox = new TestSandbox(o => new BubblewrapOptions { WorkRoot = o.WorkRoot, BwrapPath = "/nonexistent/bwrap" });
        var marker = TestSandbox.NewMarker();

        var error = await Assert.ThrowsAsync<UnavailableException>(
            () => sandbox.RunShellAsync($"touch /work/{marker}", marker: marker));

        Assert.Equal("sandbox_unavailable", error.Code);
        Assert.Equal(sandbox.Sandbox.Health.Detail, error.Message);
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        // Not even a work dir was made.
        Assert.Empty(sandbox.Leftovers());
    }

    [Fact]
    public async Task RunAsync_throws_sandbox_unavailable_when_setpriv_is_missing()
    {
        using var sandbox = new TestSandbox(o => new BubblewrapOptions { WorkRoot = o.WorkRoot, SetprivPath = "setpriv-does-not-exist" });

        var error = await Assert.ThrowsAsync<UnavailableException>(() => sandbox.RunShellAsync("true"));

        Assert.Equal("sandbox_unavailable", error.Code);
        Assert.Contains("setpriv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Health_is_unusable_when_the_work_root_is_writable_by_others()
    {
        var root = Path.Combine(Path.GetTempPath(), $"bulwark-sbx-open-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0x1FF); // 0777
        try
        {
            var health = new BubblewrapSandbox(new BubblewrapOptions { WorkRoot = root }).Health;

            Assert.False(health.Usable);
            Assert.Contains("writable by group or others", health.Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(0, 65534)]
    [InlineData(65534, 0)]
    [InlineData(-1, 65534)]
    public void Constructor_refuses_root_when_uid_or_gid_is_not_unprivileged(int uid, int gid)
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new BubblewrapSandbox(new BubblewrapOptions { WorkRoot = "/tmp/unused", Uid = uid, Gid = gid }));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task RunAsync_refuses_the_request_and_creates_nothing_when_the_run_id_could_escape(string runId)
    {
        using var sandbox = new TestSandbox();
        _ = sandbox.Sandbox.Health;

        var error = await Assert.ThrowsAsync<InvalidPayloadException>(() => sandbox.Sandbox.RunAsync(
            new SandboxRequest
            {
                RunId = runId,
                Command = ["/bin/true"],
                Environment = new Dictionary<string, string>(),
                Limits = TestSandbox.QuickLimits,
            },
            CancellationToken.None));

        Assert.Equal("invalid_run_id", error.Code);
        Assert.Empty(sandbox.Leftovers());
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(sandbox.WorkRoot)!, "escape")));
    }

    [Fact]
    public async Task RunAsync_refuses_the_request_and_starts_nothing_when_an_environment_value_holds_a_nul()
    {
        using var sandbox = new TestSandbox();
        _ = sandbox.Sandbox.Health;
        var marker = TestSandbox.NewMarker();

        var error = await Assert.ThrowsAsync<InvalidPayloadException>(() => sandbox.RunShellAsync(
            "true",
            environment: new Dictionary<string, string> { ["X"] = "a\0--bind\0/\0/host" },
            marker: marker));

        Assert.Equal("invalid_environment", error.Code);
        Assert.Empty(HostProcesses.WithCommandLineContaining(marker));
        Assert.Empty(sandbox.Leftovers());
    }
}
