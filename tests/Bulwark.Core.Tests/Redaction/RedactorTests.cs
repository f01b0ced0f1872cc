using System.Text;
using Bulwark.Core.Keys;
using Bulwark.Core.Redaction;

namespace Bulwark.Core.Tests.Redaction;

// SEC-4: the run's secret values, their encodings and anything shaped like a credential are removed.
public sealed class RedactorTests
{
    private const string Secret = "hunter2-Sup3r+S3cret/value";

    private static string Base64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Secret_value_and_its_encodings_are_redacted()
    {
        var redactor = Redactor.For([Secret]);
        string[] forms =
        [
            Secret,
            Base64(Secret),
            Base64(Secret).TrimEnd('='),
            Base64(Secret).Replace('+', '-').Replace('/', '_'),
            Uri.EscapeDataString(Secret),
            System.Text.RegularExpressions.Regex.Replace(Uri.EscapeDataString(Secret), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()),
            System.Text.Json.JsonSerializer.Serialize(Secret),
        ];

        foreach (var form in forms)
        {
            var output = redactor.Redact($"before {form} after");
            Assert.Contains(Redactor.Marker, output, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
            Assert.DoesNotContain(Base64(Secret)[..20], output, StringComparison.Ordinal);
        }
    }

    [Theory] // SEC-4: `echo "$KEY" | base64` and a value at any offset of a longer base64 stream
    [InlineData("")]
    [InlineData("x")]
    [InlineData("xy")]
    [InlineData("prefix=")]
    public void Secret_inside_a_longer_base64_stream_is_redacted_at_every_alignment(string before)
    {
        var redactor = Redactor.For([Secret]);
        var stream = Base64(before + Secret + "\n");

        var output = redactor.Redact(stream);

        Assert.Contains(Redactor.Marker, output, StringComparison.Ordinal);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(stream));
        Assert.Contains(Secret, decoded, StringComparison.Ordinal);
        // Whatever is left undecoded holds at most the edges of the value: never 6 of its bytes in a row.
        Assert.DoesNotContain(Base64(Secret)[4..12], output, StringComparison.Ordinal);
    }

    [Fact]
    public void Credential_shapes_are_redacted_without_any_run_secret()
    {
        var apiKey = ApiKeys.Mint().Plaintext;
        var jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        var pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabcDEF==\n-----END RSA PRIVATE KEY-----";
        var text = string.Join('\n',
            "curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA==' https://x",
            "token=Bearer abc.def-ghi~jkl and more",
            $"key {apiKey} used",
            "cap bwc1.eyJqIjoiam9iIn0.c2lnbmF0dXJl done",
            "pol bwp1.cGF5bG9hZHBheWxvYWQ.c2ln done",
            $"jwt {jwt} end",
            $"key:\n{pem}\nafter pem");

        var output = Redactor.Credentials.Redact(text);

        Assert.Equal(
            string.Join('\n',
                "curl -H 'Authorization: [REDACTED]",
                "token=Bearer [REDACTED] and more",
                "key [REDACTED] used",
                "cap [REDACTED] done",
                "pol [REDACTED] done",
                "jwt [REDACTED] end",
                "key:\n[REDACTED]\nafter pem"),
            output);
    }

    [Fact]
    public void Text_without_anything_to_redact_is_returned_as_it_is()
    {
        const string plain = "an ordinary log line: 42 items in 3 ms";
        const string lookAlikes = "Bearer-less, eyJ too short, bwk_short, -----BEGIN PUBLIC KEY-----";

        Assert.Same(plain, Redactor.For([Secret]).Redact(plain));
        Assert.Equal(lookAlikes, Redactor.For([Secret]).Redact(lookAlikes));
    }

    [Fact] // SEC-4: a PEM block that never ends is removed to the end, not leaked
    public void Unterminated_private_key_is_removed_to_the_end()
    {
        var output = Redactor.Credentials.Redact("x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\nMIIEvQIB");

        Assert.Equal("x\n[REDACTED]", output);
    }

    [Fact] // SEC-4: a public key or certificate is not a secret
    public void Certificates_and_public_keys_are_kept()
    {
        const string text = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

        Assert.Equal(text, Redactor.Credentials.Redact(text));
    }

    [Fact] // SEC-4, BOX-2: output cut at its limit in the middle of a value loses the partial value too
    public void Truncated_output_ending_in_the_start_of_a_secret_loses_that_start()
    {
        var redactor = Redactor.For([Secret]);

        Assert.Equal("out: [REDACTED]", redactor.RedactTruncated("out: " + Secret[..10]));
        Assert.Equal("out: " + Secret[..10], redactor.Redact("out: " + Secret[..10]));
    }
}
