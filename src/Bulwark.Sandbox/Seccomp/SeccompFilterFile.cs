using System.Runtime.Versioning;

namespace Bulwark.Sandbox.Seccomp;

/// <summary>
/// Puts the <see cref="SeccompFilter"/> program in a file the launch wrapper opens for bwrap
/// (<c>exec 4&lt;"$file"</c>, then <c>bwrap --seccomp 4</c>), the same way the private args reach it.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SeccompFilterFile
{
    /// <summary>
    /// Writes the program to a new 0600 file in <paramref name="directory"/> and returns its path;
    /// the caller removes it once the wrapper has it open, as with the private args file.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process is not Linux x86_64 (see <see cref="SeccompFilter.Build"/>).</exception>
    public static string Write(string directory)
    {
        // Built before the file exists, so an unsupported platform leaves nothing behind.
        var program = SeccompFilter.Build();
        var path = Path.Combine(directory, $"seccomp-{Guid.NewGuid():N}.bpf");

        // CreateNew (O_EXCL): a file or symlink planted at the name is never written through, so
        // nobody can swap in a filter that allows everything; 0600 root: nobody else can read or
        // change it before bwrap does.
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var file = new FileStream(path, options);
        file.Write(program);
        return path;
    }
}
