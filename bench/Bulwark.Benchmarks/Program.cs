using BenchmarkDotNet.Running;
using Bulwark.Benchmarks.Queue;
using Bulwark.Benchmarks.Sandbox;

// bulwark benchmarks:
//   queue [--jobs N] [--batch B]   side-by-side queue throughput, Bulwark's store vs raw SQLite
//   postgres [--jobs N] [--workers W] [--batch B] [--rounds R] [--fast]
//                                  PostgreSQL claim-and-complete: Bulwark's store vs raw SKIP LOCKED vs Hangfire
//   sandbox [--runs N]             /bin/true latency: Bulwark's sandbox vs bare bwrap vs fork/exec
//   redaction [--mib N] [--rounds R] streaming redactor MB/s vs a plain copy and string.Replace, 4 KiB and 64 KiB chunks
//   micro [BenchmarkDotNet args]   hot-path micro benchmarks (state machine, key checks)
switch (args.FirstOrDefault())
{
    case "queue":
        return await QueueRunner.RunAsync(args[1..], Console.Out);
    case "postgres":
        return await Bulwark.Benchmarks.Postgres.PostgresQueueRunner.RunAsync(args[1..], Console.Out);
    case "sandbox":
        return await SandboxLatencyRunner.RunAsync(args[1..], Console.Out);
    case "auth":
        return await Bulwark.Benchmarks.Auth.AuthBenchmarkRunner.RunAsync(args[1..], Console.Out);
    case "redaction":
        return await Bulwark.Benchmarks.Redaction.RedactionBenchmarkRunner.RunAsync(args[1..], Console.Out);
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(QueueRunner).Assembly).Run(args[1..]);
        return 0;
    default:
        await Console.Error.WriteLineAsync(
            "usage: Bulwark.Benchmarks queue [--jobs N] [--batch B] | postgres [--jobs N] [--workers W] [--batch B] [--rounds R] [--fast] | sandbox [--runs N] | micro [BenchmarkDotNet options]");
        return 2;
}
