using System.Security.Cryptography;
using System.Text;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Worker;

/// <summary>
/// The configured worker token (AUTH-7), compared in constant time: both sides are hashed first so
/// neither the content nor the length of the secret leaks through timing.
/// </summary>
internal sealed class WorkerToken(BulwarkOptions options)
{
    private readonly byte[]? _hash = string.IsNullOrEmpty(options.WorkerToken)
        ? null
        : SHA256.HashData(Encoding.UTF8.GetBytes(options.WorkerToken));

    /// <summary>False when the worker API is off (no token configured).</summary>
    public bool Enabled => _hash is not null;

    public bool Matches(string? presented)
    {
        if (_hash is null || presented is null)
        {
            return false;
        }

        Span<byte> candidate = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), candidate);
        return CryptographicOperations.FixedTimeEquals(candidate, _hash);
    }
}
