namespace Bulwark.Storage.Common;

/// <summary>All stored times are integer unix milliseconds UTC (SQLite INTEGER, PostgreSQL bigint): sortable, comparable in SQL, engine-neutral.</summary>
public static class UnixMs
{
    public static long From(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static long? From(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    public static DateTimeOffset To(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset? To(long? value) => value is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
