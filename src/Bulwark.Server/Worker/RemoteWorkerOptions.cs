namespace Bulwark.Server.Worker;

/// <summary>Settings of <c>bulwark worker</c>.</summary>
public sealed class RemoteWorkerOptions
{
    /// <summary>Concurrent runs.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>Holds <c>runs/</c>, the work root of this worker's sandbox.</summary>
    public string DataDir { get; init; } = "./bulwark-worker";

    public int LeaseSeconds { get; init; } = 30;

    /// <summary>How long an idle worker waits before claiming again.</summary>
    public int PollMilliseconds { get; init; } = 1000;

    public string BwrapPath { get; init; } = "bwrap";
    public int SandboxUid { get; init; } = 65534;
    public int SandboxGid { get; init; } = 65534;
}
