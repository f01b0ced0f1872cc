using System.Text;
using Bulwark.Core.Redaction;
using CsCheck;

namespace Bulwark.Core.Tests.Redaction;

// SEC-4, JOB-6: however output is cut into chunks, the streaming redactor writes exactly the
// one-shot redaction, and never a secret value.
public sealed class StreamingRedactorPropertyTests
{
    private static readonly Gen<string> SecretValue = Gen.String[Gen.Char["abcXYZ0189+/=-_.~ é"], 6, 40];

    private static readonly Gen<string> Filler = Gen.OneOf(
        Gen.String[Gen.Char["abc xyz\n-=+/"], 0, 60],
        Gen.OneOfConst(
            "Bearer ", "Bearer abc123", "Authorization: x\n", "bwk_abcdefgh12345678_x", "eyJhbGciOiJIUzI1NiJ9.e30.sig",
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "-----BEGIN ", "-----END ", "eyJ", "\n"));

    private static readonly Gen<(string Secret, string Text, int[] Cuts)> Case =
        from secret in SecretValue
        from parts in Filler.Array[0, 12]
        from insertions in Gen.Int[0, 3]
        from encode in Gen.Bool
        let inserted = encode ? Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)) : secret
        let text = string.Concat(parts.Take(parts.Length / 2)) + string.Concat(Enumerable.Repeat(inserted + "\n", insertions)) + string.Concat(parts.Skip(parts.Length / 2))
        from cuts in Gen.Int[0, Math.Max(0, text.Length)].Array[0, 10]
        select (secret, text, cuts);

    [Fact]
    public void Streaming_equals_one_shot_for_any_chunking_and_never_shows_the_secret()
    {
        Case.Sample(c =>
        {
            var redactor = Redactor.For([c.Secret]);
            var expected = redactor.Redact(c.Text);

            var output = new StringBuilder();
            var stream = redactor.Stream();
            var previous = 0;
            foreach (var cut in c.Cuts.Order().Distinct())
            {
                stream.Write(c.Text.AsSpan(previous, cut - previous), output);
                previous = cut;
            }

            stream.Write(c.Text.AsSpan(previous), output);
            stream.Complete(output);

            Assert.Equal(expected, output.ToString());
            Assert.DoesNotContain(c.Secret, expected, StringComparison.Ordinal);
        }, iter: 3000);
    }

    [Fact]
    public void One_character_chunks_equal_one_shot()
    {
        Case.Sample(c =>
        {
            var redactor = Redactor.For([c.Secret]);
            var output = new StringBuilder();
            var stream = redactor.Stream();
            foreach (var ch in c.Text)
            {
                stream.Write([ch], output);
            }

            stream.Complete(output);

            Assert.Equal(redactor.Redact(c.Text), output.ToString());
        }, iter: 500);
    }

    [Fact] // JOB-6, SEC-4: a line that cannot begin a match goes out at once; a tail that may begin a secret waits
    public void Only_a_tail_that_may_begin_a_trigger_is_held_back()
    {
        var redactor = Redactor.For(["s3cr3t-value-xyz"]);
        var output = new StringBuilder();
        var stream = redactor.Stream();

        stream.Write("first line\n", output);
        Assert.Equal("first line\n", output.ToString());

        stream.Write("key=s3cr", output);
        Assert.DoesNotContain("s3cr", output.ToString(), StringComparison.Ordinal);

        stream.Write("3t-value-xyz\n", output);
        stream.Complete(output);
        Assert.Equal("first line\nkey=[REDACTED]\n", output.ToString());
    }
}
