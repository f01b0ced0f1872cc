using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;

namespace Bulwark.Cli;

/// <summary>
/// The store an operator command works on, opened from the same configuration as
/// <c>bulwark serve</c> (TEN-3: operator commands go straight to the store, and each is audited there).
/// </summary>
internal sealed class OperatorSession(IBulwarkStore store) : IAsyncDisposable
{
    public IBulwarkStore Store { get; } = store;

    public OperatorCommands Commands { get; } = new(store, TimeProvider.System);

    public static async Task<OperatorSession> OpenAsync(CliContext cli, string? dataDir, CancellationToken ct)
    {
        var options = ServerOptions.Load(cli, dataDir, urls: null);
        // As `serve` does: an operator may create the first tenant before the server ever ran.
        Directory.CreateDirectory(options.DataDir);
        return new OperatorSession(await StoreFactory.OpenAsync(options, ct));
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
