using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;

namespace Bulwark.Server.Execution;

/// <summary>Runs one attempt of one kind of template. Never throws for the run's own failures.</summary>
internal interface IJobExecutor
{
    TemplateKind Kind { get; }

    /// <summary>Refuses (throws) when this kind cannot run on this node, e.g. no usable sandbox (BOX-5).</summary>
    void EnsureAvailable();

    Task<AttemptResult> ExecuteAsync(ClaimedJob job, CancellationToken ct);
}
