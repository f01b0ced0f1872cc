namespace Bulwark.Sandbox.Tests;

/// <summary>
/// RLIMIT_NPROC is per host uid, so while a fork bomb holds uid 65534's whole budget every other
/// run would fail to fork. Until cgroups give each run its own pids.max, these tests run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ForkBombCollection
{
    public const string Name = "fork bomb (runs alone)";
}
