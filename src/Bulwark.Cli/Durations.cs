using System.CommandLine.Parsing;
using System.Globalization;

namespace Bulwark.Cli;

/// <summary>Lifetimes written the way operators say them: <c>30d</c>, <c>12h</c>, <c>15m</c>, <c>45s</c>.</summary>
internal static class Durations
{
    public const string Examples = "30d, 12h, 15m or 45s";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2
            || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || amount <= 0)
        {
            return false;
        }

        try
        {
            duration = text[^1] switch
            {
                'd' => TimeSpan.FromDays(amount),
                'h' => TimeSpan.FromHours(amount),
                'm' => TimeSpan.FromMinutes(amount),
                's' => TimeSpan.FromSeconds(amount),
                _ => TimeSpan.Zero,
            };
        }
        catch (OverflowException)
        {
            return false;
        }

        return duration > TimeSpan.Zero;
    }

    /// <summary>A System.CommandLine parser: a bad value is a usage error (exit 2), like any other.</summary>
    public static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var duration))
        {
            return duration;
        }

        result.AddError($"'{text}' is not a duration such as {Examples}.");
        return null;
    }
}
