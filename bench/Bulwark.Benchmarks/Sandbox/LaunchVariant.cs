namespace Bulwark.Benchmarks.Sandbox;

/// <summary>One way of starting <c>/bin/true</c> and waiting for it to exit.</summary>
internal sealed record LaunchVariant(string Name, Func<CancellationToken, Task> RunOnceAsync);
