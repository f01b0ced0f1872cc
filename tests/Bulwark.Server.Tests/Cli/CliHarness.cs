using Bulwark.Cli;

namespace Bulwark.Server.Tests.Cli;

/// <summary>
/// Runs <c>bulwark</c> in-process against a throwaway data directory, with an environment of
/// its own so the machine's BULWARK_* variables cannot change what a test sees.
/// </summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        DataDir = Path.Combine(Path.GetTempPath(), "bulwark-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDir);
    }

    public string DataDir { get; }

    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs the arguments exactly as given.</summary>
    public async Task<CliRun> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, Environment, CancellationToken.None);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs an operator command on this harness's data directory.</summary>
    public Task<CliRun> OperatorAsync(params string[] args) => RunAsync([.. args, "--data", DataDir]);

    /// <summary>Writes a file in the data directory's sibling folder and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var folder = Path.Combine(DataDir, "files");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Every byte the store left on disk (database, WAL and journal alike).</summary>
    public byte[] StoredBytes()
    {
        var bytes = new List<byte>();
        foreach (var file in Directory.EnumerateFiles(DataDir, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes.AddRange(copy.ToArray());
        }

        return [.. bytes];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
