using Bulwark.Server.Hosting;

namespace Bulwark.Cli;

/// <summary>The server's configuration with the command line's overrides on top: a flag beats the environment.</summary>
internal static class ServerOptions
{
    public static BulwarkOptions Load(CliContext cli, string? dataDir, string? urls)
    {
        var options = BulwarkConfiguration.Load(cli.Environment);
        if (!string.IsNullOrWhiteSpace(dataDir))
        {
            options.DataDir = dataDir;
        }

        if (!string.IsNullOrWhiteSpace(urls))
        {
            options.Urls = urls;
        }

        return options;
    }
}
