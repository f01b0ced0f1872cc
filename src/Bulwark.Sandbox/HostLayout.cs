namespace Bulwark.Sandbox;

/// <summary>Reads how this host lays out its runtime outside <c>/usr</c>, so the sandbox mirrors it exactly.</summary>
internal static class HostLayout
{
    private static readonly string[] RuntimeRoots = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    public static IReadOnlyList<RootEntry> ReadRuntimeRoots()
    {
        var entries = new List<RootEntry>();
        foreach (var path in RuntimeRoots)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                entries.Add(new RootEntry(path, target));
            }
            else if (Directory.Exists(path))
            {
                entries.Add(new RootEntry(path, null));
            }
        }

        return entries;
    }
}
