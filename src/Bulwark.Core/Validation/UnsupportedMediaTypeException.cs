using Bulwark.Core.Errors;

namespace Bulwark.Core.Validation;

/// <summary>NET-2: the body is not in the one media type the route reads (415, <c>unsupported_media_type</c>); nothing was read.</summary>
public sealed class UnsupportedMediaTypeException(string message = "The request body must be JSON (Content-Type: application/json).")
    : BulwarkException("unsupported_media_type", message);
