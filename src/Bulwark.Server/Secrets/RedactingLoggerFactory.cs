using Bulwark.Core.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Secrets;

/// <summary>
/// The server's log behind redaction (SEC-4): every logger it hands out passes each message,
/// its structured values and any exception text through the node-wide redactor before a provider
/// sees them. It wraps the factory, not the providers, so a provider added anywhere is covered.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner, Redactor redactor) : ILoggerFactory
{
    /// <summary>Replaces the host's <see cref="ILoggerFactory"/> with one behind the node's <see cref="ServerRedactor"/>.</summary>
    public static void Register(IServiceCollection services) =>
        services.AddSingleton<ILoggerFactory>(sp => new RedactingLoggerFactory(
            new LoggerFactory(
                sp.GetServices<ILoggerProvider>(),
                sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                sp.GetService<IOptions<LoggerFactoryOptions>>(),
                sp.GetService<IExternalScopeProvider>()),
            sp.GetRequiredService<ServerRedactor>().Redactor));

    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
