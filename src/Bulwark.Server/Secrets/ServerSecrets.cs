using Bulwark.Core.Redaction;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Secrets;

/// <summary>
/// The server's own secrets as literal values to redact (SEC-4): the worker token, the JWT and
/// policy-token signing secrets. They have no recognisable shape, so only their values find them.
/// </summary>
internal static class ServerSecrets
{
    public static Redactor RedactorFor(BulwarkOptions options) => Redactor.For(ValuesOf(options));

    public static IEnumerable<string> ValuesOf(BulwarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var value in (string?[])[options.WorkerToken, options.JwtSecret, options.PolicyTokenSecret, options.PolicyTokenPreviousSecret])
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                yield return value;
            }
        }
    }
}
