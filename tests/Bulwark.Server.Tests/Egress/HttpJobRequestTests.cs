using Bulwark.Core.Secrets;
using Bulwark.Core.Templates;
using Bulwark.Server.Execution;

namespace Bulwark.Server.Tests.Egress;

// API.md "Templates": url_from_input, body_from_input and {{secrets.NAME}} in header values (SEC-2).
public sealed class HttpJobRequestTests
{
    private static readonly ResolvedSecret Token = new(new SecretPath("dev", "acme", "hook_token"), "tok-value");

    private static TemplateDefinition Template(string? urlFromInput = null, string? bodyFromInput = null, string header = "Bearer {{secrets.hook_token}}") => new()
    {
        Key = "hooks.notify",
        Kind = TemplateKind.Http,
        Secrets = ["hook_token"],
        Request = new HttpRequestSpec
        {
            Method = "POST",
            Url = "https://hooks.example.com/notify",
            Headers = new Dictionary<string, string> { ["Authorization"] = header, ["X-Source"] = "bulwark" },
        },
        UrlFromInput = urlFromInput,
        BodyFromInput = bodyFromInput,
    };

    [Fact]
    public void Builds_the_templates_request_with_secrets_in_headers()
    {
        var request = HttpJobRequest.Build(Template(), "{}", [Token]);

        Assert.Equal("POST", request.Method);
        Assert.Equal("https://hooks.example.com/notify", request.Url);
        Assert.Equal("Bearer tok-value", request.Headers["Authorization"]);
        Assert.Equal("bulwark", request.Headers["X-Source"]);
        Assert.Null(request.Body);
    }

    [Fact]
    public void Takes_the_url_and_the_json_body_from_the_inputs_when_named()
    {
        var request = HttpJobRequest.Build(Template("url", "payload"), """{"url":"https://other.example.com/x","payload":{"a":[1,2]}}""", [Token]);

        Assert.Equal("https://other.example.com/x", request.Url);
        Assert.Equal("""{"a":[1,2]}""", System.Text.Encoding.UTF8.GetString(request.Body!));
        Assert.Equal("application/json", request.ContentType);
    }

    [Fact]
    public void Missing_url_input_fails_for_good()
    {
        var e = Assert.Throws<HttpJobRequestException>(() => HttpJobRequest.Build(Template("url"), """{"url":42}""", [Token]));

        Assert.Equal("invalid_input", e.Code);
    }

    [Fact] // SEC-2: a header can only name a secret the template lists; the run resolved only those
    public void Header_naming_an_unlisted_secret_fails_without_a_value()
    {
        var e = Assert.Throws<HttpJobRequestException>(() => HttpJobRequest.Build(Template(header: "{{secrets.other}}"), "{}", [Token]));

        Assert.Equal("invalid_template", e.Code);
        Assert.Contains("'other'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-value", e.Message, StringComparison.Ordinal);
    }
}
