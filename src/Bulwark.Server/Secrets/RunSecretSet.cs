using Bulwark.Core.Redaction;
using Bulwark.Core.Secrets;

namespace Bulwark.Server.Secrets;

/// <summary>
/// One launch's secrets (SEC-2) and the redactor that removes them from that run's output (SEC-4).
/// Lives only as long as the run: nothing here is stored.
/// </summary>
internal sealed class RunSecretSet(IReadOnlyList<ResolvedSecret> secrets, Redactor redactor)
{
    public IReadOnlyList<ResolvedSecret> Secrets { get; } = secrets;

    public Redactor Redactor { get; } = redactor;

    /// <summary>The job's variables: <c>DEMO_KEY</c> for <c>demo_key</c>.</summary>
    public void AddTo(IDictionary<string, string> environment)
    {
        foreach (var secret in Secrets)
        {
            environment[secret.Path.VariableName] = secret.Value;
        }
    }

    public override string ToString() => string.Join(", ", Secrets);
}
