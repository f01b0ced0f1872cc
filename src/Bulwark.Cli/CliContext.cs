namespace Bulwark.Cli;

/// <summary>
/// What every command writes to and reads from. Tests hand in their own writers and
/// environment so a command runs in-process exactly as it does from a shell.
/// </summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?>? environment)
{
    public const string DefaultServerUrl = "http://127.0.0.1:8080";

    public TextWriter Stdout { get; } = stdout;

    public TextWriter Stderr { get; } = stderr;

    /// <summary>The variables given to <see cref="CliApp.RunAsync"/>; null: the process environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; } = environment;

    public string? Variable(string name)
    {
        var value = Environment is null
            ? System.Environment.GetEnvironmentVariable(name)
            : Environment.TryGetValue(name, out var given) ? given : null;
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>The server the HTTP commands talk to (<c>BULWARK_URL</c>).</summary>
    public string ServerUrl => Variable("BULWARK_URL") ?? DefaultServerUrl;
}
