namespace Bulwark.Server.Worker;

/// <summary>The answer of <c>POST /worker/v1/heartbeat</c>: whether the job's cancel was requested.</summary>
internal sealed record WorkerHeartbeatView(bool CancelRequested);
