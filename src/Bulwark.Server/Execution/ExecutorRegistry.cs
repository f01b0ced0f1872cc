using Bulwark.Core.Errors;
using Bulwark.Core.Templates;

namespace Bulwark.Server.Execution;

/// <summary>The executors this node has, by template kind.</summary>
internal sealed class ExecutorRegistry(IEnumerable<IJobExecutor> executors)
{
    private readonly Dictionary<TemplateKind, IJobExecutor> _byKind = executors.ToDictionary(e => e.Kind);

    /// <summary>Checked at submission so a job that cannot run here is refused before it is stored.</summary>
    public void EnsureRunnable(TemplateKind kind)
    {
        if (!_byKind.TryGetValue(kind, out var executor))
        {
            throw new InvalidPayloadException(
                $"Templates of kind '{kind.ToString().ToLowerInvariant()}' cannot run on this server yet.", "unsupported_kind");
        }

        executor.EnsureAvailable();
    }

    public IJobExecutor? Find(TemplateKind kind) => _byKind.GetValueOrDefault(kind);
}
