using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Audit;

/// <summary>
/// The HMAC key of the audit chain (AUD-2, <c>BULWARK_AUDIT_KEY</c>): at least 32 bytes, kept outside
/// the database so that whoever can write the database still cannot forge an entry. Written as
/// hex (exactly hex digits, even length) or else base64. Its bytes never leave this type except to
/// <see cref="AuditChain"/>; <see cref="ToString"/> shows nothing of it.
/// </summary>
public sealed partial class AuditKey
{
    public const int MinimumBytes = 32;

    private readonly byte[] _bytes;

    private AuditKey(byte[] bytes) => _bytes = bytes;

    /// <summary>A fresh random key of 32 bytes.</summary>
    public static AuditKey Generate() => new(RandomNumberGenerator.GetBytes(MinimumBytes));

    /// <summary>
    /// The key written as hex or base64. Throws <see cref="FormatException"/> naming
    /// <paramref name="setting"/> (never the value) when it is neither or shorter than 32 bytes.
    /// </summary>
    public static AuditKey Parse(string text, string setting = "BULWARK_AUDIT_KEY")
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        byte[] bytes;
        if (HexDigits().IsMatch(trimmed) && trimmed.Length % 2 == 0)
        {
            bytes = Convert.FromHexString(trimmed);
        }
        else
        {
            bytes = new byte[trimmed.Length];
            if (!Convert.TryFromBase64String(trimmed, bytes, out var written))
            {
                throw new FormatException($"{setting} must be hex or base64.");
            }

            bytes = bytes[..written];
        }

        if (bytes.Length < MinimumBytes)
        {
            throw new FormatException($"{setting} must hold at least {MinimumBytes} bytes (64 hex digits or 44 base64 characters).");
        }

        return new AuditKey(bytes);
    }

    /// <summary>
    /// The key kept in <paramref name="path"/> (base64, mode 0600), created with a random key the
    /// first time: the embedded store's default, so the key lives beside the database, never in it.
    /// </summary>
    public static AuditKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            return Parse(File.ReadAllText(path), path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var key = Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(Convert.ToBase64String(key._bytes));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process (the CLI next to the server) created it first: theirs is the key.
            return Parse(File.ReadAllText(path), path);
        }

        return key;
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under this key.</summary>
    internal byte[] Mac(ReadOnlySpan<byte> data) => HMACSHA256.HashData(_bytes, data);

    public override string ToString() => "AuditKey(hidden)";

    [GeneratedRegex("^[0-9a-fA-F]+$", RegexOptions.CultureInvariant)]
    private static partial Regex HexDigits();
}
