namespace Bulwark.Server.Egress;

/// <summary>One outbound request as a job asked for it, before the guard has seen it.</summary>
internal sealed record EgressRequest
{
    public required string Method { get; init; }
    public required string Url { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public byte[]? Body { get; init; }
    public string? ContentType { get; init; }
}

/// <summary>The final answer, after any redirects: its status, headers and the whole (capped) body.</summary>
internal sealed record EgressResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, string Target);

/// <summary>
/// The request did not produce a response: <c>egress_denied</c> (the guard refused, nothing was
/// sent), <c>egress_timeout</c>, <c>egress_too_large</c> or <c>egress_failed</c>.
/// </summary>
internal sealed class EgressException(string code, string message) : Exception(message)
{
    public const string Denied = "egress_denied";
    public const string Timeout = "egress_timeout";
    public const string TooLarge = "egress_too_large";
    public const string Failed = "egress_failed";

    public string Code { get; } = code;

    /// <summary>Retrying cannot help a refusal or a body over the cap; a timeout or a network error may pass.</summary>
    public bool Retryable => Code is Timeout or Failed;
}

/// <summary>One hop that was sent or refused, for the audit trail (AUD-1).</summary>
internal sealed record EgressHop(string Target, string Outcome, int? Status, long? Bytes, string? Reason);
