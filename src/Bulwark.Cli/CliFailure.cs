namespace Bulwark.Cli;

/// <summary>A failure the CLI itself detects; its message is the one sentence printed on stderr.</summary>
internal sealed class CliFailure(string message) : Exception(message);
