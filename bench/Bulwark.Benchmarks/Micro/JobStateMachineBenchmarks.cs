using BenchmarkDotNet.Attributes;
using Bulwark.Core.Jobs;

namespace Bulwark.Benchmarks.Micro;

/// <summary>Every state change goes through the table (JOB-2): it must cost next to nothing.</summary>
[MemoryDiagnoser]
#pragma warning disable CA1515 // BenchmarkDotNet only runs public, unsealed benchmark classes.
public class JobStateMachineBenchmarks
#pragma warning restore CA1515
{
    [Benchmark(Baseline = true)]
    public JobState Legal_transition() => JobStateMachine.Transition(JobState.Running, JobState.Succeeded);

    [Benchmark]
    public bool Claimable_check() => JobStateMachine.IsClaimable(JobState.Retrying);

    [Benchmark]
    public string State_to_name() => JobState.Retrying.ToName();

    [Benchmark]
    public JobState State_from_name() => JobStateNames.Parse("retrying");
}
