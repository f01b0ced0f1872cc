using BenchmarkDotNet.Running;
using Bulwark.Benchmarks.Queue;

// bulwark benchmarks:
//   queue [--jobs N] [--batch B]   side-by-side queue throughput, Bulwark's store vs raw SQLite
//   micro [BenchmarkDotNet args]   hot-path micro benchmarks (state machine, key checks)
switch (args.FirstOrDefault())
{
    case "queue":
        return await QueueRunner.RunAsync(args[1..], Console.Out);
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(QueueRunner).Assembly).Run(args[1..]);
        return 0;
    default:
        await Console.Error.WriteLineAsync(
            "usage: Bulwark.Benchmarks queue [--jobs N] [--batch B] | micro [BenchmarkDotNet options]");
        return 2;
}
