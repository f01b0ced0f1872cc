namespace Bulwark.Sandbox.Tests;

/// <summary>
/// RLIMIT_NPROC is per host uid, so on a host without cgroups a fork bomb holds uid 65534's whole
/// budget and every other run fails to fork meanwhile. With cgroups each run has its own pids.max
/// (and RLIMIT_NPROC is only a loose backstop), but the tests must hold on every host: they run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ForkBombCollection
{
    public const string Name = "fork bomb (runs alone)";
}
