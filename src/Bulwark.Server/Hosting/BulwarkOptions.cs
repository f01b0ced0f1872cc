namespace Bulwark.Server.Hosting;

/// <summary>
/// Every setting of <c>bulwark serve</c> (OPS-3). Bound from <c>bulwark.json</c> and from
/// <c>BULWARK_*</c> environment variables by <see cref="BulwarkConfiguration"/>; each property is
/// documented with its default in docs/configuration.md.
/// </summary>
public sealed class BulwarkOptions
{
    /// <summary>Directory of the embedded store and run work dirs.</summary>
    public string DataDir { get; set; } = "./bulwark-data";

    /// <summary>SQLite file path; empty: <c>{DataDir}/bulwark.db</c>.</summary>
    public string? Database { get; set; }

    /// <summary>Where Kestrel listens.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary><c>dev</c>, <c>staging</c>, <c>prod</c>…</summary>
    public string Env { get; set; } = "dev";

    /// <summary><c>bwrap</c>; <c>none</c> runs unconfined and only when <see cref="Env"/> is <c>dev</c>.</summary>
    public string Sandbox { get; set; } = "bwrap";

    /// <summary>The bubblewrap executable (a bare name is looked up on PATH).</summary>
    public string SandboxBwrapPath { get; set; } = "bwrap";

    /// <summary>Host uid/gid the sandboxed job runs as (the server itself may be root).</summary>
    public int SandboxUid { get; set; } = 65534;
    public int SandboxGid { get; set; } = 65534;

    /// <summary>Concurrent runs per node.</summary>
    public int Workers { get; set; } = 4;

    /// <summary>Most jobs taken per claim transaction.</summary>
    public int ClaimBatch { get; set; } = 8;

    public int LeaseSeconds { get; set; } = 30;
    public int HeartbeatSeconds { get; set; } = 10;
    public int ReaperSeconds { get; set; } = 5;

    /// <summary>Longest an idle worker sleeps before looking for due jobs again.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>Largest accepted request body (NET-2).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The runtime API's Unix socket (BOX-3), mounted into every sandbox; derived, not a setting:
    /// <c>{DataDir}/runtime/runtime.sock</c>.
    /// </summary>
    public string RuntimeSocketPath => Path.Combine(Path.GetFullPath(DataDir), "runtime", "runtime.sock");

    public string DatabasePath => string.IsNullOrWhiteSpace(Database)
        ? Path.Combine(DataDir, "bulwark.db")
        : Database;
}
