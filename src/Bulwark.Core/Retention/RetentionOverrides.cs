using System.Collections.Frozen;
using System.Globalization;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Retention;

/// <summary>
/// AUD-3: the tenants whose data is kept for a time of their own, from
/// <c>BULWARK_RETENTION_&lt;KIND&gt;_DAYS_&lt;TENANT&gt;</c> (whole days; the tenant part as
/// <see cref="TenantSettingKey"/> writes it, e.g. <c>BULWARK_RETENTION_JOBS_DAYS_ACME_EU=30</c>).
/// A tenant not named keeps the node-wide window of that kind. Bounds are the caller's to check.
/// </summary>
public sealed class RetentionOverrides
{
    private readonly FrozenDictionary<(RetentionKind Kind, string TenantKey), Override> _days;

    private RetentionOverrides(IDictionary<(RetentionKind, string), Override> days) => _days = days.ToFrozenDictionary();

    public static RetentionOverrides None { get; } = new(new Dictionary<(RetentionKind, string), Override>());

    /// <summary>Every override, with the variable that set it (for messages that name it).</summary>
    public IEnumerable<Override> All => _days.Values;

    /// <summary>The tenant's own window of <paramref name="kind"/>, in days; null when it has none.</summary>
    public int? DaysFor(RetentionKind kind, string tenantName) =>
        _days.TryGetValue((kind, TenantSettingKey.Of(tenantName)), out var found) ? found.Days : null;

    /// <summary>Throws <see cref="FormatException"/> naming the variable when a value is not a whole number of days.</summary>
    public static RetentionOverrides Parse(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var days = new Dictionary<(RetentionKind, string), Override>();
        foreach (var (name, value) in environment)
        {
            foreach (var kind in RetentionKinds.All)
            {
                var prefix = kind.Setting() + "_";
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length == prefix.Length)
                {
                    continue;
                }

                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    throw new FormatException($"{name} must be a whole number of days.");
                }

                days[(kind, TenantSettingKey.Of(name[prefix.Length..]))] = new Override(name, kind, parsed);
            }
        }

        return new RetentionOverrides(days);
    }

    /// <summary>One tenant's window of one kind, and the variable that set it.</summary>
    public sealed record Override(string Setting, RetentionKind Kind, int Days);
}
