namespace Bulwark.Sandbox;

/// <summary>How script jobs are confined on this host (BOX-1). Paths are resolved on PATH.</summary>
public sealed class BubblewrapOptions
{
    /// <summary>The bubblewrap executable; a bare name is looked up on PATH.</summary>
    public string BwrapPath { get; init; } = "bwrap";

    /// <summary>util-linux setpriv, which drops the server's root to <see cref="Uid"/> before bwrap starts.</summary>
    public string SetprivPath { get; init; } = "setpriv";

    /// <summary>Host uid every job runs as. Never 0: a job must not be host root (BOX-1).</summary>
    public int Uid { get; init; } = 65534;

    /// <summary>Host gid every job runs as. Never 0.</summary>
    public int Gid { get; init; } = 65534;

    /// <summary>
    /// Directory that holds one private work dir per run (mounted at <c>/work</c>). Created
    /// root-owned with mode 0711 when missing; it must not be writable by anyone but root.
    /// </summary>
    public required string WorkRoot { get; init; }

    /// <summary>The checks both sandboxes make before anything else; throws on a bad option.</summary>
    internal static void Validate(BubblewrapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.WorkRoot))
        {
            throw new ArgumentException("BubblewrapOptions.WorkRoot is required.", nameof(options));
        }

        // uid/gid 0 would hand the job host root, confined or not: refuse the configuration (BOX-1).
        if (options.Uid <= 0 || options.Gid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BubblewrapOptions.Uid and Gid must be unprivileged (greater than 0).");
        }
    }
}
