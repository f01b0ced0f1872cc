using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Core.Secrets;
using Bulwark.Core.Templates;
using Bulwark.Server.Egress;

namespace Bulwark.Server.Execution;

/// <summary>
/// The outbound request an http template's run makes (API.md "Templates"): the template's
/// <c>request</c>, the URL taken from <c>url_from_input</c> and the JSON body from
/// <c>body_from_input</c> when named, and <c>{{secrets.NAME}}</c> in header values replaced by the
/// run's secret of that name (SEC-2). The values live only in the request sent.
/// </summary>
internal static partial class HttpJobRequest
{
    /// <exception cref="HttpJobRequestException">An input or a secret the template names is missing.</exception>
    public static EgressRequest Build(TemplateDefinition template, string inputsJson, IReadOnlyList<ResolvedSecret> secrets)
    {
        ArgumentNullException.ThrowIfNull(template);
        var spec = template.Request ?? throw new HttpJobRequestException("The http template has no request.", "invalid_template");
        using var inputs = JsonDocument.Parse(inputsJson);
        var url = spec.Url;
        if (template.UrlFromInput is { } urlInput)
        {
            url = inputs.RootElement.TryGetProperty(urlInput, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new HttpJobRequestException($"The input '{urlInput}' must be a string URL (url_from_input).", "invalid_input");
        }

        byte[]? body = null;
        if (template.BodyFromInput is { } bodyInput && inputs.RootElement.TryGetProperty(bodyInput, out var payload))
        {
            body = Encoding.UTF8.GetBytes(payload.GetRawText());
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in spec.Headers)
        {
            headers[name] = WithSecrets(value, secrets);
        }

        return new EgressRequest
        {
            Method = spec.Method,
            Url = url,
            Headers = headers,
            Body = body,
            ContentType = body is null ? null : "application/json",
        };
    }

    private static string WithSecrets(string value, IReadOnlyList<ResolvedSecret> secrets) =>
        SecretReference().Replace(value, match =>
        {
            var name = match.Groups[1].Value;
            var secret = secrets.FirstOrDefault(s => string.Equals(s.Path.Name, name, StringComparison.Ordinal))
                ?? throw new HttpJobRequestException(
                    $"A header names the secret '{name}', which is not in the template's secrets list.", "invalid_template");
            return secret.Value;
        });

    [GeneratedRegex(@"\{\{\s*secrets\.([a-zA-Z0-9_.:-]{1,100})\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex SecretReference();
}

/// <summary>The run cannot be turned into a request as configured: it fails for good, with this code.</summary>
internal sealed class HttpJobRequestException(string message, string code) : Exception(message)
{
    public string Code { get; } = code;
}
