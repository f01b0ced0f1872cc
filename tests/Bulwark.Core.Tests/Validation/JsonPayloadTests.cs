using System.Text;
using Bulwark.Core.Errors;
using Bulwark.Core.Validation;

namespace Bulwark.Core.Tests.Validation;

// NET-2: every request body is well-formed JSON, without duplicate keys, at most 10 deep.
public sealed class JsonPayloadTests
{
    private static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Refused(string text, int maxDepth = JsonPayload.DefaultMaxDepth) =>
        Assert.Throws<InvalidPayloadException>(() => JsonPayload.Parse(Utf8(text), maxDepth)).Message;

    private static string Arrays(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public void Parse_returns_the_document_when_the_body_is_valid()
    {
        using var doc = JsonPayload.Parse(Utf8("""{"template":"demo.echo","inputs":{"name":"ada"}}"""));

        Assert.Equal("ada", doc.RootElement.GetProperty("inputs").GetProperty("name").GetString());
    }

    [Fact]
    public void Parse_accepts_a_body_when_nested_exactly_ten_levels()
    {
        using var doc = JsonPayload.Parse(Utf8(Arrays(10)));

        Assert.Equal(System.Text.Json.JsonValueKind.Array, doc.RootElement.ValueKind);
    }

    [Fact]
    public void Parse_refuses_a_body_when_nested_eleven_levels()
    {
        Assert.Equal("The JSON is nested deeper than 10 levels.", Refused(Arrays(11)));
    }

    [Fact]
    public void Parse_refuses_a_body_when_deeply_nested_without_exhausting_the_stack()
    {
        Assert.Equal("The JSON is nested deeper than 10 levels.", Refused(Arrays(100_000)));
    }

    [Fact]
    public void Parse_honours_a_custom_depth_when_given_one()
    {
        Assert.Equal("The JSON is nested deeper than 3 levels.", Refused(Arrays(4), maxDepth: 3));
        using var doc = JsonPayload.Parse(Utf8(Arrays(3)), maxDepth: 3);
        Assert.Equal(0, doc.RootElement[0][0].GetArrayLength());
    }

    [Fact]
    public void Parse_refuses_duplicate_keys_when_at_the_top_level()
    {
        Assert.Equal("The JSON object at $ has the key 'template' more than once.", Refused("""{"template":"a","template":"b"}"""));
    }

    [Fact]
    public void Parse_refuses_duplicate_keys_when_nested_and_names_where()
    {
        Assert.Equal("The JSON object at $.inputs.user has the key 'role' more than once.",
            Refused("""{"inputs":{"user":{"role":"reader","role":"admin"}}}"""));
    }

    [Fact]
    public void Parse_refuses_duplicate_keys_when_inside_an_array()
    {
        Assert.Contains("has the key 'a' more than once", Refused("""{"list":[{"a":1},{"a":1,"a":2}]}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_allows_the_same_key_when_in_different_objects()
    {
        using var doc = JsonPayload.Parse(Utf8("""{"a":{"x":1},"b":{"x":2}}"""));

        Assert.Equal(2, doc.RootElement.GetProperty("b").GetProperty("x").GetInt32());
    }

    [Theory]
    [InlineData("""{"a": """)]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a":1} trailing""")]
    [InlineData("""{'a':1}""")]
    [InlineData("""{"a":1 /* comment */}""")]
    [InlineData("")]
    public void Parse_refuses_broken_json_with_a_plain_sentence(string text)
    {
        var message = Refused(text);

        Assert.StartsWith("The body is not valid JSON", message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_says_where_when_the_json_is_broken_on_a_later_line()
    {
        Assert.Equal("The body is not valid JSON (line 2, position 6).", Refused("{\"a\":1,\n\"b\": x}"));
    }

    [Fact]
    public void Parse_refuses_a_depth_limit_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonPayload.Parse(Utf8("{}"), 0));
    }

    [Fact]
    public void Parse_uses_the_code_invalid_payload_when_refusing()
    {
        var e = Assert.Throws<InvalidPayloadException>(() => JsonPayload.Parse(Utf8("{")));

        Assert.Equal("invalid_payload", e.Code);
    }
}
