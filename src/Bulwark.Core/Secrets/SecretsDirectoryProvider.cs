using System.Text;

namespace Bulwark.Core.Secrets;

/// <summary>
/// <c>BULWARK_SECRETS_DIR</c> (SEC-2): one file per secret at <c>{dir}/{env}/{tenant}/{name}</c>,
/// its content the value with one trailing newline (<c>\n</c> or <c>\r\n</c>) removed. Symlinks
/// are followed, so a mounted Kubernetes secret (<c>name → ..data/name</c>, <c>..data →
/// ..2024_…</c>) works as it is, but a file whose real path leaves the directory is refused.
/// Read at every launch: a rotated file is seen by the next run (SEC-3).
/// </summary>
public sealed class SecretsDirectoryProvider : ISecretProvider
{
    /// <summary>A secret is an environment variable's value; anything larger is a mistake, not a secret.</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>The kernel's own bound on symlinks followed in one lookup (ELOOP).</summary>
    private const int MaxLinks = 40;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _root;

    /// <param name="directory">Must exist (checked by the server's settings validation).</param>
    public SecretsDirectoryProvider(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _root = RealPath(Directory);
    }

    public string Directory { get; }

    public string Describe(SecretPath path) => $"no file {Path.Join("$BULWARK_SECRETS_DIR", path.Env, path.Tenant, path.Name)}";

    public string? Find(SecretPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // SecretNames made the parts plain names; joined, they cannot climb out by themselves.
        var candidate = Path.Join(Directory, path.Env, path.Tenant, path.Name);
        string real;
        try
        {
            real = RealPath(candidate);
        }
        catch (IOException)
        {
            throw Refused(path, "its symlinks loop");
        }

        if (!real.StartsWith(_root + "/", StringComparison.Ordinal))
        {
            throw Refused(path, "its file resolves outside the secrets directory");
        }

        var info = new FileInfo(real);
        if (!info.Exists)
        {
            return null;
        }

        if (info.Length > MaxValueBytes)
        {
            throw Refused(path, $"its file is larger than {MaxValueBytes} bytes");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(real);
        }
        catch (UnauthorizedAccessException)
        {
            throw Refused(path, "its file cannot be read by the server");
        }

        string value;
        try
        {
            value = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Refused(path, "its file is not UTF-8 text");
        }

        // An environment variable cannot carry a NUL.
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw Refused(path, "its value contains a NUL character");
        }

        return TrimOneNewline(value);
    }

    /// <summary>Editors and <c>echo</c> end files with a newline that is not part of the secret; only one is removed.</summary>
    internal static string TrimOneNewline(string value) =>
        value.EndsWith("\r\n", StringComparison.Ordinal) ? value[..^2]
        : value.EndsWith('\n') ? value[..^1]
        : value;

    private static SecretRefusedException Refused(SecretPath path, string why) =>
        new($"The secret {path} is refused: {why}.", "secret_refused");

    /// <summary>
    /// The path with every symlink resolved, component by component (what realpath(3) does; a
    /// missing tail is kept as it is). .NET only resolves the last component of a path itself.
    /// </summary>
    internal static string RealPath(string path)
    {
        var pending = new Stack<string>(Split(Path.GetFullPath(path)).Reverse());
        var current = "/";
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = Path.Join(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException("Too many levels of symbolic links.");
            }

            if (Path.IsPathRooted(target))
            {
                current = "/";
            }

            foreach (var targetPart in Split(target).Reverse())
            {
                pending.Push(targetPart);
            }
        }

        return current;
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
