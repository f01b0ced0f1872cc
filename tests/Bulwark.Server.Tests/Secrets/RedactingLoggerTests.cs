using Bulwark.Core.Keys;
using Bulwark.Core.Redaction;
using Bulwark.Server.Secrets;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Tests.Secrets;

/// <summary>SEC-4: the server's own log passes every line through the node-wide redactor.</summary>
public sealed partial class RedactingLoggerTests
{
    private const string WorkerToken = "worker-token-0123456789-0123456789-abcdef";

    [LoggerMessage(1, LogLevel.Warning, "Caller sent {Header}")]
    private static partial void CallerSent(ILogger logger, string header);

    private static (ILogger Logger, CapturedLog Log) Create()
    {
        var log = new CapturedLog();
        var inner = LoggerFactory.Create(b => b.AddProvider(log));
        var factory = new RedactingLoggerFactory(inner, Redactor.For([WorkerToken]));
        return (factory.CreateLogger("test"), log);
    }

    [Fact]
    public void Credentials_in_messages_values_and_exceptions_are_redacted()
    {
        var (logger, log) = Create();
        var apiKey = ApiKeys.Mint().Plaintext;

        CallerSent(logger, $"Authorization: Bearer {apiKey}");
        logger.LogError(new InvalidOperationException($"worker presented {WorkerToken}"), "call failed");

        Assert.DoesNotContain(apiKey, log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(WorkerToken, log.Text, StringComparison.Ordinal);
        Assert.Contains("Caller sent Authorization: [REDACTED]", log.Text, StringComparison.Ordinal);
        Assert.Contains("Header=Authorization: [REDACTED]", log.Text, StringComparison.Ordinal);
        Assert.Contains("worker presented [REDACTED]", log.Text, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_without_credentials_pass_unchanged()
    {
        var (logger, log) = Create();

        CallerSent(logger, "nothing secret");

        Assert.Contains("Caller sent nothing secret [Header=nothing secret {OriginalFormat}=Caller sent {Header}]", log.Text, StringComparison.Ordinal);
    }
}
