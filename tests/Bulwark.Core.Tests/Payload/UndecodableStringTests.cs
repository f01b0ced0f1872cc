using System.Text;
using Bulwark.Core.Errors;
using Bulwark.Core.Validation;

namespace Bulwark.Core.Tests.Payload;

// NET-2: strings that cannot become text (found by the server's payload property tests as 500s)
// are refused at the gate with a plain sentence, in keys and values, well-formed or broken JSON.
public sealed class UndecodableStringTests
{
    public static TheoryData<byte[]> Undecodable => new()
    {
        Encoding.UTF8.GetBytes("""{"a": "\ud800"}"""),
        Encoding.UTF8.GetBytes("""{"a": ["ok", "x\udc00"]}"""),
        Encoding.UTF8.GetBytes("""{"\ud800": 1}"""),
        Spliced("{\"a\": \"", [0xFF], "\"}"),
        Spliced("{\"a\": \"", [0xED, 0xA0, 0x80], "\"}"),
        Spliced("{\"templat", [0x80], "e\":"),
        Spliced("{\"k\\ud800", [], "\": "),
    };

    private static byte[] Spliced(string before, byte[] stray, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. stray, .. Encoding.UTF8.GetBytes(after)];

    [Theory]
    [MemberData(nameof(Undecodable))]
    public void A_string_that_is_not_valid_unicode_is_invalid_payload_never_another_exception(byte[] body)
    {
        var e = Assert.Throws<InvalidPayloadException>(() => JsonPayload.Parse(body));

        Assert.Equal("invalid_payload", e.Code);
        Assert.DoesNotContain("0x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_surrogate_pair_escape_is_ordinary_text()
    {
        using var document = JsonPayload.Parse(Encoding.UTF8.GetBytes("""{"emoji": "\ud83d\ude00", "é": "ü"}"""));

        Assert.Equal("😀", document.RootElement.GetProperty("emoji").GetString());
    }
}
