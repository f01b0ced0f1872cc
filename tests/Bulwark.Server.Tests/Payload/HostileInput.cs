using System.Text;
using CsCheck;

namespace Bulwark.Server.Tests.Payload;

/// <summary>
/// Generators of hostile request parts for NET-2's property tests: JSON that is deep, has repeated
/// keys, huge or odd strings (NUL, lone surrogates, unicode), wrong types; the same bytes truncated
/// or with invalid UTF-8 spliced in; and path segments and query values that try to traverse.
/// </summary>
internal static class HostileInput
{
    // Every field name some route reads, so generated objects reach the field checks, not only "unknown field".
    private static readonly string[] Fields =
    [
        "template", "inputs", "idempotency_key", "priority", "run_at", "max_attempts", "dry_run", "policy_token",
        "actor", "action", "scopes", "ttl_seconds", "key", "tenant", "kind", "command", "inputs_schema", "env_from_inputs",
        "required_scope", "limits", "network", "retry", "secrets", "name", "expires_at", "jti", "subject", "key_id", "reason",
        "message", "level", "event_type", "payload", "trace_id", "cron", "time_zone", "enabled", "url", "method", "headers", "body",
    ];

    private const int MaxDepth = 14;

    private static readonly Gen<string> OddText = Gen.OneOfConst(
        "", "\0", "a\0b", "..", "../../etc/passwd", "/etc/passwd", ".hidden", "a/b", "\\", "%00", "é", "\ud800", "\udc00x",
        "😀", "\u202e", "\r\n", "pg.echo", "demo:run", "*", "jobs:write", "2026-01-02T03:04:05Z", "yesterday", "null", "0", "-1");

    private static readonly Gen<string> Text = Gen.Frequency(
        (6, OddText),
        (6, Gen.String[Gen.Char.AlphaNumeric, 0, 24]),
        (6, Gen.String[Gen.Char, 0, 24]),
        (1, Gen.Int[1_000, 100_000].Select(n => new string('a', n))));

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Text.Select(Quote),
        Gen.OneOfConst("true", "false", "null", "0", "-0", "1e400", "-1", "2147483648", "9223372036854775808", "1.5", "1E2", "-2147483649"),
        Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "0"));

    private static readonly Gen<string> Key = Gen.OneOf(Gen.OneOfConst(Fields), Gen.OneOfConst(Fields), Text);

    // Built bottom-up so each depth's generator is made once.
    private static readonly Gen<string>[] ValueAt = BuildValues();

    /// <summary>A JSON text (usually valid) shaped to reach every check of a route.</summary>
    public static Gen<string> Json { get; } = Gen.OneOf(
        Object(ValueAt[1]),
        ValueAt[0],
        Deep(),
        Gen.OneOfConst("", "{", "}", "[", "{\"template\":", "{\"a\":1,}", "{'a':1}", "{\"a\":1} {\"b\":2}", "/* c */ {}", "\uFEFF{}"));

    /// <summary>The bytes sent: <see cref="Json"/>, and the same mutated (cut, or with a stray byte spliced in).</summary>
    public static Gen<byte[]> Body { get; } =
        from json in Json
        let bytes = Encoding.UTF8.GetBytes(json)
        from mutation in Gen.Int[0, 5]
        from at in Gen.Int[0, Math.Max(0, bytes.Length)]
        from stray in Gen.OneOfConst<byte[]>([0x00], [0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF])
        select mutation switch
        {
            0 => bytes[..at],
            1 => [.. bytes[..at], .. stray, .. bytes[at..]],
            _ => bytes,
        };

    /// <summary>One path segment (already escaped for the URL): mostly identifiers, then traversal and odd bytes.</summary>
    public static Gen<string> Segment { get; } = Gen.OneOf(
        Gen.String[Gen.Char["abcXYZ019_.:-"], 1, 20],
        Gen.OneOfConst("..", ".", "%2e%2e", "..%2f..%2fetc", "%2f", "a%00b", "%00", ".hidden", "a%20b", "%ff", "%c3", "%e2%80%ae", "~", "%5c..%5c"),
        Gen.String[Gen.Char, 1, 12].Select(Uri.EscapeDataString),
        Gen.Int[101, 400].Select(n => new string('k', n)));

    /// <summary>A query string for a list route: known names with hostile values, and unknown names.</summary>
    public static Gen<string> Query { get; } =
        from pairs in Gen.Select(
            Gen.OneOfConst("state", "template", "limit", "cursor", "from", "to", "action", "follow", "x"),
            Gen.OneOf(Segment, Gen.OneOfConst("0", "-1", "1", "50", "99999999999", "abc", "queued", "true", "2026-01-01T00:00:00Z"))).Array[0, 4]
        select string.Join('&', pairs.Select(p => p.Item1 + "=" + p.Item2));

    private static Gen<string>[] BuildValues()
    {
        var values = new Gen<string>[MaxDepth + 1];
        values[MaxDepth] = Scalar;
        for (var depth = MaxDepth - 1; depth >= 0; depth--)
        {
            var inner = values[depth + 1];
            values[depth] = Gen.Frequency((4, Scalar), (2, Object(inner)), (1, Array(inner)));
        }

        return values;
    }

    private static Gen<string> Object(Gen<string> inner) =>
        Gen.Select(Key, inner).Array[0, 6].Select(members => "{" + string.Join(',', members.Select(m => Quote(m.Item1) + ":" + m.Item2)) + "}");

    private static Gen<string> Array(Gen<string> inner) =>
        inner.Array[0, 5].Select(items => "[" + string.Join(',', items) + "]");

    /// <summary>Nesting around one scalar, past the depth limit of 10 and well within it.</summary>
    private static Gen<string> Deep() =>
        from depth in Gen.Int[8, 64]
        from opens in Gen.Bool.Array[depth]
        from inside in Scalar
        select string.Concat(opens.Select(o => o ? "{\"inputs\":" : "[")) + inside + string.Concat(opens.Reverse().Select(o => o ? "}" : "]"));

    /// <summary>A JSON string literal; control characters and lone surrogates become \u escapes (valid JSON text).</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\').Append(c);
            }
            else if (c < 0x20 || char.IsSurrogate(c))
            {
                quoted.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('"').ToString();
    }
}
