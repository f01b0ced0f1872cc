using System.Text.Json.Nodes;
using Bulwark.Cli;

namespace Bulwark.Server.Tests.Cli;

/// <summary>The <c>--input key=value</c> rule and the <c>--expires</c> durations.</summary>
public sealed class InputValuesTests
{
    [Fact]
    public void Input_values_are_strings_unless_they_read_as_a_json_number_or_bool()
    {
        var inputs = InputValues.Build(null, ["name=world", "count=3", "ratio=0.5", "verbose=true", "zip=007", "nothing=null", "eq=a=b", "empty="]);

        Assert.Equal(
            """{"name":"world","count":3,"ratio":0.5,"verbose":true,"zip":"007","nothing":"null","eq":"a=b","empty":""}""",
            inputs.ToJsonString());
    }

    [Fact]
    public void Input_pairs_are_set_on_top_of_inputs_json()
    {
        var inputs = InputValues.Build("""{"name":"base","keep":{"a":1}}""", ["name=override"]);

        Assert.Equal("""{"name":"override","keep":{"a":1}}""", inputs.ToJsonString());
    }

    [Fact]
    public void No_inputs_give_an_empty_object()
    {
        Assert.Equal(new JsonObject().ToJsonString(), InputValues.Build(null, null).ToJsonString());
    }

    [Theory]
    [InlineData("30d", 30 * 24 * 3600)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("15m", 15 * 60)]
    [InlineData("45s", 45)]
    public void Durations_read_days_hours_minutes_and_seconds(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("d")]
    [InlineData("30")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("+5m")]
    [InlineData("1.5h")]
    [InlineData("2w")]
    [InlineData("99999999999d")]
    public void Durations_refuse_anything_else(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }
}
