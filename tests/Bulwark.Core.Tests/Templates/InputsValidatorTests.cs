using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Templates;

namespace Bulwark.Core.Tests.Templates;

// JOB-1 (template input schema), NET-2 (depth 10, no duplicate keys, schema).
public sealed class InputsValidatorTests
{
    private static readonly TemplateDefinition Echo = TemplateFile.Parse(TemplateFileTests.ScriptYaml);

    private static readonly TemplateDefinition Strict = TemplateFile.Parse("""
        key: strict
        kind: script
        command: [run]
        inputs_schema:
          type: object
          required: [name]
          additionalProperties: false
          properties:
            name: { type: string, maxLength: 8, pattern: "^[a-z]+$" }
            count: { type: integer, minimum: 1, maximum: 5 }
            tags: { type: array, items: { type: string, maxLength: 3 }, maxItems: 2 }
            when: { type: string, format: date-time }
            mode: { enum: [fast, slow] }
            nested: { type: object, properties: { inner: { type: boolean } } }
        """);

    private static readonly TemplateDefinition Open = TemplateFile.Parse("key: open\nkind: script\ncommand: [run]");

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
        return doc.RootElement.Clone();
    }

    private static string Refused(TemplateDefinition template, string inputs) =>
        Assert.Throws<InvalidPayloadException>(() => InputsValidator.Validate(template, Json(inputs))).Message;

    private static string Nested(int depth) => new string('[', depth - 1) is var open
        ? "{\"a\":" + open + "1" + new string(']', depth - 1) + "}"
        : "";

    [Fact]
    public void Validate_returns_canonical_json_when_inputs_match_the_schema()
    {
        var text = InputsValidator.Validate(Echo, Json("""{ "name" : "ada" }"""));

        Assert.Equal("""{"name":"ada"}""", text);
    }

    [Fact]
    public void Validate_sorts_keys_when_inputs_arrive_in_any_order()
    {
        // AUD-1 hashes the stored inputs: equal inputs must give equal text.
        var a = InputsValidator.Validate(Open, Json("""{"b":1,"a":{"d":2,"c":3}}"""));
        var b = InputsValidator.Validate(Open, Json("""{"a":{"c":3,"d":2},"b":1}"""));

        Assert.Equal("""{"a":{"c":3,"d":2},"b":1}""", a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Validate_gives_an_empty_object_when_inputs_are_missing()
    {
        Assert.Equal("{}", InputsValidator.Validate(Echo, null));
        Assert.Equal("{}", InputsValidator.Validate(Echo, Json("null")));
        Assert.Equal("{}", InputsValidator.Validate(Echo, default(JsonElement)));
    }

    [Fact]
    public void Validate_checks_missing_inputs_against_the_schema_when_properties_are_required()
    {
        var message = Assert.Throws<InvalidPayloadException>(() => InputsValidator.Validate(Strict, null)).Message;

        Assert.Equal("inputs.name: is required.", message);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("true")]
    public void Validate_refuses_inputs_when_they_are_not_an_object(string inputs)
    {
        Assert.Equal("inputs must be a JSON object.", Refused(Open, inputs));
    }

    [Fact]
    public void Validate_accepts_inputs_when_nested_exactly_ten_levels()
    {
        Assert.Equal(Nested(10), InputsValidator.Validate(Open, Json(Nested(10))));
    }

    [Fact]
    public void Validate_refuses_inputs_when_nested_eleven_levels()
    {
        Assert.Equal("inputs are nested deeper than 10 levels.", Refused(Open, Nested(11)));
    }

    [Fact]
    public void Validate_refuses_duplicate_keys_when_the_element_came_from_a_lenient_parse()
    {
        Assert.Equal("inputs.a has the key 'x' more than once.", Refused(Open, """{"a":{"x":1,"x":2}}"""));
    }

    [Theory]
    [InlineData("""{"name":"abcdefghij"}""", "inputs.name: string is longer than 8.")]
    [InlineData("""{"name":"ABC"}""", "inputs.name: string does not match the pattern ^[a-z]+$.")]
    [InlineData("""{"name":5}""", "inputs.name: must be a string.")]
    [InlineData("""{"name":"a","count":9}""", "inputs.count: must be at most 5.")]
    [InlineData("""{"name":"a","count":0}""", "inputs.count: must be at least 1.")]
    [InlineData("""{"name":"a","count":1.5}""", "inputs.count: must be an integer.")]
    [InlineData("""{"name":"a","tags":["x","y","z"]}""", "inputs.tags: has more than 2 items.")]
    [InlineData("""{"name":"a","tags":["long"]}""", "inputs.tags[0]: string is longer than 3.")]
    [InlineData("""{"name":"a","when":"yesterday"}""", "inputs.when: must be a date-time (RFC 3339).")]
    [InlineData("""{"name":"a","mode":"warp"}""", "inputs.mode: is not one of the allowed values.")]
    [InlineData("""{"name":"a","nested":{"inner":"yes"}}""", "inputs.nested.inner: must be true or false.")]
    [InlineData("""{"name":"a","extra":1}""", "inputs.extra: is not a property the schema allows.")]
    [InlineData("""{}""", "inputs.name: is required.")]
    public void Validate_names_the_violated_path_when_inputs_break_the_schema(string inputs, string expected)
    {
        Assert.Equal(expected, Refused(Strict, inputs));
    }

    [Fact]
    public void Validate_accepts_every_schema_feature_when_inputs_are_right()
    {
        var text = InputsValidator.Validate(Strict, Json("""{"name":"ada","count":5,"tags":["a"],"when":"2024-01-02T03:04:05Z","mode":"fast","nested":{"inner":true}}"""));

        Assert.Contains("\"when\":\"2024-01-02T03:04:05Z\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_accepts_any_object_when_the_template_has_no_schema()
    {
        Assert.Equal("""{"anything":[1,{"x":null}]}""", InputsValidator.Validate(Open, Json("""{"anything":[1,{"x":null}]}""")));
    }

    [Fact]
    public void Validate_keeps_number_text_when_canonicalising()
    {
        Assert.Equal("""{"big":123456789012345678901234567890,"f":1.50}""", InputsValidator.Validate(Open, Json("""{"f":1.50,"big":123456789012345678901234567890}""")));
    }

    [Fact]
    public void Validate_gives_the_same_answer_when_called_again_with_the_cached_schema()
    {
        Assert.Equal(Refused(Strict, """{"name":"ABC"}"""), Refused(Strict, """{"name":"ABC"}"""));
        Assert.Equal("""{"name":"ok"}""", InputsValidator.Validate(Strict, Json("""{"name":"ok"}""")));
    }

    [Fact]
    public void Validate_answers_invalid_payload_when_a_schema_cycle_is_reached_by_the_inputs()
    {
        var cyclic = TemplateFile.Parse("key: c\nkind: script\ncommand: [x]\ninputs_schema: { properties: { a: { allOf: [ { $ref: \"#/properties/a\" } ] } } }");

        Assert.Equal("{}", InputsValidator.Validate(cyclic, null));
        Assert.Contains("$ref cycle", Refused(cyclic, """{"a":1}"""), StringComparison.Ordinal);
    }
}
