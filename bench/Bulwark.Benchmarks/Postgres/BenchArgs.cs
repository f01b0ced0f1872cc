using System.Globalization;

namespace Bulwark.Benchmarks.Postgres;

/// <summary>The command line of the PostgreSQL benchmark, with its defaults.</summary>
internal sealed record BenchArgs(int Jobs, int Workers, int Batch, int Rounds, bool Fast)
{
    public static bool TryParse(string[] args, out BenchArgs settings, out string problem)
    {
        var jobs = 5000;
        var workers = 4;
        var batch = 8;
        var rounds = 3;
        var fast = false;
        settings = new BenchArgs(jobs, workers, batch, rounds, fast);
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--fast":
                    fast = true;
                    break;
                case "--jobs" when Positive(value, 1_000_000, out jobs):
                case "--workers" when Positive(value, 64, out workers):
                case "--batch" when Positive(value, 1000, out batch):
                case "--rounds" when Positive(value, 9, out rounds):
                    i++;
                    break;
                default:
                    problem = $"Unexpected argument '{args[i]}': --jobs 1..1000000, --workers 1..64, --batch 1..1000, --rounds 1..9, --fast.";
                    return false;
            }
        }

        settings = new BenchArgs(jobs, workers, batch, rounds, fast);
        return true;
    }

    private static bool Positive(string? value, int max, out int parsed) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out parsed) && parsed >= 1 && parsed <= max;
}
