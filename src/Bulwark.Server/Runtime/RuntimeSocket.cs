using System.Net.Sockets;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Runtime;

/// <summary>
/// The node's runtime API socket (BOX-3) at <c>{DataDir}/runtime/runtime.sock</c>, bind-mounted
/// into every sandbox. Its directory is 0711 (the sandbox uid may pass through, not list) and the
/// socket 0666 once bound: the socket is only the transport, the capability token is the credential,
/// and connections on it reach nothing but <c>/runtime/v1</c> (<see cref="RuntimeSocketGate"/>).
/// </summary>
internal sealed class RuntimeSocket(BulwarkOptions options)
{
    // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
    private const int MaxPathBytes = 107;

    public string Path { get; } = options.RuntimeSocketPath;

    /// <summary>Creates the directory and removes a stale socket of an earlier process; refuses a live one.</summary>
    public void Prepare()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The runtime socket needs a Unix host.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(Path) > MaxPathBytes)
        {
            throw new BulwarkSettingsException(
                $"The runtime socket path '{Path}' is longer than {MaxPathBytes} bytes; choose a shorter BULWARK_DATA_DIR.");
        }

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(
            directory,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        if (!File.Exists(Path))
        {
            return;
        }

        if (IsServed())
        {
            throw new BulwarkSettingsException(
                $"Another server is serving the runtime socket '{Path}'; two servers cannot share a data dir's socket.");
        }

        File.Delete(Path);
    }

    /// <summary>After Kestrel has bound the socket: any local uid may connect (the token decides the rest).</summary>
    public void OpenToSandboxes()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The runtime socket needs a Unix host.");
        }

        File.SetUnixFileMode(
            Path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
    }

    private bool IsServed()
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(Path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
