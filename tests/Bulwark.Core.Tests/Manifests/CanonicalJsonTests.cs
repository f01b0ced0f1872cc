using Bulwark.Core.Manifests;

namespace Bulwark.Core.Tests.Manifests;

/// <summary>JOB-11: the JSON form manifests hash, so the same value always has the same hash whoever wrote it.</summary>
public sealed class CanonicalJsonTests
{
    [Fact] // members sorted by name (ordinal), no whitespace, at every depth
    public void Members_are_sorted_and_whitespace_is_dropped_at_every_depth()
    {
        Assert.Equal("""{"B":[3,{"a":1,"b":2}],"a":null,"b":true}""", CanonicalJson.Of("""{ "b": true, "a": null, "B": [3, {"b": 2, "a": 1}] }"""));
    }

    [Fact] // numbers exactly as written; strings escaped only where JSON requires it
    public void Numbers_keep_their_text_and_strings_escape_only_what_json_requires()
    {
        Assert.Equal("""{"n":1.50,"s":"é<>&'\"\\\n"}""", CanonicalJson.Of("""{"s":"\u00e9\u003c>&'\"\\\n","n":1.50}"""));
    }

    [Fact] // two spellings of one value hash alike; a different value does not
    public void Equal_values_hash_alike_and_different_values_do_not()
    {
        Assert.Equal(CanonicalJson.Sha256("""{"a":1,"b":"x"}"""), CanonicalJson.Sha256("""{ "b" : "x", "a" : 1 }"""));
        Assert.NotEqual(CanonicalJson.Sha256("""{"a":1}"""), CanonicalJson.Sha256("""{"a":2}"""));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", CanonicalJson.Sha256Hex(""));
    }
}
