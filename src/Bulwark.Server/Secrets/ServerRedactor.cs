using Bulwark.Core.Redaction;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Secrets;

/// <summary>
/// The node-wide redactor (SEC-4): credential shapes and the server's own secrets. Used where no
/// run is known (audit entries, the server's log); a run's own secret values are added by
/// <see cref="RunSecrets"/> for that run's paths.
/// </summary>
internal sealed class ServerRedactor(BulwarkOptions options)
{
    public Redactor Redactor { get; } = ServerSecrets.RedactorFor(options);

    public string? Redact(string? text) => text is null ? null : Redactor.Redact(text);
}
