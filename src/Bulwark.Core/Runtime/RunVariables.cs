using System.Text;
using Bulwark.Core.Errors;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Runtime;

/// <summary>
/// The rules of per-run variables (JOB-7), in one place every store and the runtime API call:
/// names follow <see cref="Identifiers"/>, a value is at most <see cref="MaxValueBytes"/> of JSON,
/// and a job keeps at most <see cref="MaxPerJob"/> of them. The caps are what keep job code,
/// which is untrusted, from turning the store into its own unbounded disk.
/// </summary>
public static class RunVariables
{
    public const int MaxPerJob = 100;
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>Throws <see cref="InvalidPayloadException"/> for a bad name or an oversize value.</summary>
    public static void Validate(string name, string valueJson)
    {
        RequireName(name);
        ArgumentNullException.ThrowIfNull(valueJson);
        if (valueJson.Length > MaxValueBytes || Encoding.UTF8.GetByteCount(valueJson) > MaxValueBytes)
        {
            throw new InvalidPayloadException($"A variable's value is at most {MaxValueBytes} bytes of JSON.", "too_large");
        }
    }

    public static string RequireName(string? name) => Identifiers.Require(name, "variable name");

    /// <summary>
    /// Called by the store inside the write, with the job's current count: a new name beyond the
    /// cap is refused (<c>variable_limit</c>, nothing written); replacing an existing one never is.
    /// </summary>
    public static void EnsureRoom(int existingCount, bool replacesExisting)
    {
        if (!replacesExisting && existingCount >= MaxPerJob)
        {
            throw new ConflictException($"A job keeps at most {MaxPerJob} variables.", "variable_limit");
        }
    }
}
