using Bulwark.Core.Errors;

namespace Bulwark.Core.Secrets;

/// <summary>
/// A secret could not be provided: missing everywhere, or its path or file refused. The message
/// names the secret's path and never its value; a run that meets it fails for good (SEC-2).
/// </summary>
public sealed class SecretRefusedException(string message, string code = "secret_missing")
    : BulwarkException(code, message);
