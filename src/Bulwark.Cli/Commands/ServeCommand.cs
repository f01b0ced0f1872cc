using System.CommandLine;
using Bulwark.Server.Hosting;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark serve</c>: the API server with its workers, until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext cli)
    {
        var urls = new Option<string?>("--urls")
        {
            Description = "Address to listen on (default http://127.0.0.1:8080; port 0 picks a free port).",
            HelpName = "URL",
        };
        var data = CommonOptions.Data();
        var command = new Command(
            "serve",
            "Run the API server with its built-in workers, scheduler and retention jobs. "
            + "With no configuration it stores everything in SQLite under --data and, on the first start "
            + "of an empty store, creates tenant 'default' and prints one admin API key, once. Stops on Ctrl+C or SIGTERM.")
        {
            urls,
            data,
        };
        command.SetAction(CommandGuard.Action(cli, async (parse, ct) =>
        {
            var options = ServerOptions.Load(cli, parse.GetValue(data), parse.GetValue(urls));
            using var shutdown = new ShutdownSignal(ct);
            await using var server = await BulwarkServer.StartAsync(options, cli.Stdout, shutdown.Token);
            await cli.Stdout.WriteLineAsync($"Bulwark listening on {server.BaseAddress}");
            await cli.Stdout.FlushAsync(CancellationToken.None);

            // Returns when a signal arrives (and stops the host then) or when the host stops by itself.
            await server.WaitForShutdownAsync(shutdown.Token);
            await cli.Stdout.WriteLineAsync("Bulwark stopping");
            return 0;
        }));
        return command;
    }
}
