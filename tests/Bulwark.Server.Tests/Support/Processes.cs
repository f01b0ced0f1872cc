namespace Bulwark.Server.Tests.Support;

/// <summary>Looks for processes by a unique marker in their command line (BOX-4: nothing survives).</summary>
public static class Processes
{
    public static IReadOnlyList<int> WithMarker(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static async Task WaitUntilRunningAsync(string marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (WithMarker(marker).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no process with marker {marker} appeared");
            await Task.Delay(50);
        }
    }
}
