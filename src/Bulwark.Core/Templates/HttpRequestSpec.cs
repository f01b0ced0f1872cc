namespace Bulwark.Core.Templates;

/// <summary>The request an <see cref="TemplateKind.Http"/> template makes.</summary>
public sealed record HttpRequestSpec
{
    public string Method { get; init; } = "GET";
    public required string Url { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
