using System.CommandLine;
using System.Text.Json;
using Bulwark.Client;
using Bulwark.Core.Errors;

namespace Bulwark.Cli;

/// <summary>
/// Wraps every command's action so that any failure reaches the user as one plain sentence on
/// stderr with exit code 1 — never a stack trace, which would leak internals and bury the cause.
/// </summary>
internal static class CommandGuard
{
    public const int Failed = 1;

    /// <summary>The conventional exit code of a program stopped by Ctrl+C.</summary>
    public const int Interrupted = 130;

    public static Func<ParseResult, CancellationToken, Task<int>> Action(
        CliContext cli, Func<ParseResult, CancellationToken, Task<int>> action) =>
        async (parse, ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await cli.Stderr.WriteLineAsync("Cancelled.");
                return Interrupted;
            }
            catch (Exception e)
            {
                await cli.Stderr.WriteLineAsync(OneLine(Sentence(cli, e)));
                return Failed;
            }
        };

    private static string Sentence(CliContext cli, Exception e) => e switch
    {
        BulwarkException or BulwarkApiException or CliFailure => e.Message,
        HttpRequestException => $"Could not reach the Bulwark server at {cli.ServerUrl}.",
        // HttpClient reports its own timeout as a cancellation the caller did not ask for.
        TaskCanceledException => $"The Bulwark server at {cli.ServerUrl} did not answer in time.",
        JsonException => $"The answer of the Bulwark server at {cli.ServerUrl} could not be read.",
        IOException or UnauthorizedAccessException => e.Message,
        _ => $"Unexpected error: {e.Message}",
    };

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
