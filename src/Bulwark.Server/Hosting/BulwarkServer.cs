namespace Bulwark.Server.Hosting;

/// <summary>The one way to run the server: used by <c>bulwark serve</c> and by the end-to-end tests.</summary>
public static class BulwarkServer
{
    /// <summary>
    /// Opens and migrates the store, bootstraps an empty store (writing the one-time admin key
    /// to <paramref name="console"/>), starts Kestrel and the workers, and returns once listening.
    /// </summary>
    public static Task<RunningServer> StartAsync(BulwarkOptions options, TextWriter console, CancellationToken ct) =>
        throw new NotImplementedException();
}
