using System.CommandLine;

namespace Bulwark.Cli;

/// <summary>Options several commands share; a fresh instance each time because an option belongs to one command.</summary>
internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "Directory of the embedded store (default ./bulwark-data). BULWARK_DATABASE, when set, names the database instead.",
        HelpName = "DIR",
    };

    public static Option<string> Tenant(string description) => new("--tenant")
    {
        Description = description,
        HelpName = "NAME",
        Required = true,
    };
}
