namespace Bulwark.Client;

/// <summary>
/// A non-2xx answer of the Bulwark API, read from its <c>application/problem+json</c> body.
/// <see cref="Exception.Message"/> is one plain sentence a CLI can print as it is.
/// </summary>
public sealed class BulwarkApiException(int status, string code, string title, string? detail)
    : Exception(Sentence(status, title, detail))
{
    /// <summary>The HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>The stable problem code (<c>not_found</c>, <c>forbidden</c>…), or <c>http_{status}</c> when the body had none.</summary>
    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    private static string Sentence(int status, string title, string? detail)
    {
        var text = !string.IsNullOrWhiteSpace(detail) ? detail
            : !string.IsNullOrWhiteSpace(title) ? title
            : $"The server answered with status {status}";
        // One line, ending like a sentence, whatever the server sent.
        text = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.EndsWith('.') || text.EndsWith('!') || text.EndsWith('?') ? text : text + ".";
    }
}
