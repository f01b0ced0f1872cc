using System.Runtime.InteropServices;

namespace Bulwark.Cli;

/// <summary>
/// A token cancelled by Ctrl+C (SIGINT), by SIGTERM (what <c>docker stop</c> and systemd send) or
/// by the caller's token. Handling the signals here, instead of letting the runtime end the
/// process, is what lets <c>serve</c> stop gracefully: in-flight requests finish and runs end cleanly.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal(CancellationToken ct)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public CancellationToken Token => _source.Token;

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive; the server stops itself once the token fires.
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }
}
