namespace Bulwark.Core.Errors;

/// <summary>
/// A failure the caller can understand and act on. Each subtype carries a stable
/// <see cref="Code"/>; the server maps subtypes to HTTP statuses in one place and the CLI
/// prints <see cref="Exception.Message"/> as its one plain sentence.
/// </summary>
public abstract class BulwarkException(string code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>Stable, machine-readable error code (problem+json <c>code</c>).</summary>
    public string Code { get; } = code;
}

/// <summary>The request is malformed or violates a schema or rule (400).</summary>
public sealed class InvalidPayloadException(string message, string code = "invalid_payload")
    : BulwarkException(code, message);

/// <summary>No credential, or a credential that is not valid (401). Never says which.</summary>
public sealed class UnauthenticatedException(string message = "A valid credential is required.")
    : BulwarkException("unauthenticated", message);

/// <summary>The caller is known but may not do this (403).</summary>
public sealed class ForbiddenException(string message, string code = "forbidden")
    : BulwarkException(code, message);

/// <summary>The thing does not exist for this caller — including when it belongs to another tenant (404).</summary>
public sealed class NotFoundException(string message) : BulwarkException("not_found", message);

/// <summary>The request conflicts with the current state, e.g. a stale lease (409).</summary>
public class ConflictException(string message, string code = "conflict") : BulwarkException(code, message);

/// <summary>A feature flag is off (seed 000: a no-op with a clear answer).</summary>
public sealed class FeatureDisabledException(string flag)
    : BulwarkException("feature_disabled", $"The feature '{flag}' is disabled on this server.");

/// <summary>A dependency the request needs is not usable on this host (503), e.g. the sandbox (BOX-5).</summary>
public sealed class UnavailableException(string message, string code = "unavailable")
    : BulwarkException(code, message);
