using System.Globalization;
using Bulwark.Core.Errors;

namespace Bulwark.Core.Fences;

/// <summary>
/// A write's claim to a named lock (AUTHZ-6, seed 003): <c>X-Bulwark-Fence: &lt;lock&gt;:&lt;number&gt;</c>.
/// The store accepts the write only while <see cref="Number"/> is the lock's current fence and
/// the writer holds it, so a holder that stalled past its expiry and was taken over writes nothing.
/// </summary>
public sealed record WriteFence(string Lock, long Number)
{
    public const string Header = "X-Bulwark-Fence";

    /// <summary>Throws <see cref="InvalidPayloadException"/> (<c>invalid_fence</c>) unless the text is <c>name:number</c>.</summary>
    public static WriteFence Parse(string? text)
    {
        var colon = text?.LastIndexOf(':') ?? -1;
        if (colon <= 0
            || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1
            || !Locks.IsValidName(text![..colon]))
        {
            throw new InvalidPayloadException($"The {Header} header must be '<lock>:<fence number>'.", "invalid_fence");
        }

        return new WriteFence(text[..colon], number);
    }

    public override string ToString() => $"{Lock}:{Number.ToString(CultureInfo.InvariantCulture)}";
}
