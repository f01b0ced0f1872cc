using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Keys;
using Bulwark.Core.Redaction;

namespace Bulwark.Benchmarks.Redaction;

/// <summary>
/// MB/s of the streaming redactor (SEC-4) on realistic job output: 64 MiB of log lines with a
/// secret or a credential now and then, cut into 4 KiB and 64 KiB chunks. Beside it, in the same
/// process and on the same chunks: a plain copy (the floor of any output path) and
/// <c>string.Replace</c> of the secret values (what a naive scrubber costs, while missing split
/// values, encodings and credentials). Interleaved rounds; prints medians and ratios to the copy.
/// </summary>
internal static class RedactionBenchmarkRunner
{
    private static readonly string[] Levels = ["INFO", "DEBUG", "WARN", "INFO", "INFO"];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var mib = ArgValue(args, "--mib", 64);
        var rounds = ArgValue(args, "--rounds", 5);
        if (mib is < 1 or > 1024 || rounds is < 1 or > 15)
        {
            await Console.Error.WriteLineAsync("usage: redaction [--mib 1..1024] [--rounds 1..15]");
            return 2;
        }

        string[] secrets = [Secret(), Secret(), Secret()];
        var text = Output(mib * 1024 * 1024, secrets);
        var redactor = Redactor.For(secrets);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"redaction: {mib} MiB of log lines, {secrets.Length} secret values, {rounds} interleaved rounds, medians"));
        await output.WriteLineAsync("chunk     way                        MB/s    vs copy");
        foreach (var chunkChars in (int[])[4 * 1024, 64 * 1024])
        {
            var chunks = Chunks(text, chunkChars);
            var copy = new List<double>();
            var replace = new List<double>();
            var streaming = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                copy.Add(Measure(text.Length, () => Copy(chunks)));
                replace.Add(Measure(text.Length, () => Replace(chunks, secrets)));
                streaming.Add(Measure(text.Length, () => Stream(chunks, redactor)));
            }

            var floor = Median(copy);
            foreach (var (way, results) in new (string, List<double>)[] { ("plain copy", copy), ("string.Replace of values", replace), ("streaming redactor", streaming) })
            {
                var mbps = Median(results);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{chunkChars / 1024,3} KiB   {way,-24} {mbps,8:F0}   {mbps / floor,6:F3}"));
            }
        }

        return 0;
    }

    private static long Copy(string[] chunks)
    {
        var sink = new StringBuilder(128 * 1024);
        long written = 0;
        foreach (var chunk in chunks)
        {
            sink.Append(chunk);
            written += Drain(sink);
        }

        return written;
    }

    private static long Replace(string[] chunks, string[] secrets)
    {
        var sink = new StringBuilder(128 * 1024);
        long written = 0;
        foreach (var chunk in chunks)
        {
            var replaced = chunk;
            foreach (var secret in secrets)
            {
                replaced = replaced.Replace(secret, Redactor.Marker, StringComparison.Ordinal);
            }

            sink.Append(replaced);
            written += Drain(sink);
        }

        return written;
    }

    private static long Stream(string[] chunks, Redactor redactor)
    {
        var sink = new StringBuilder(128 * 1024);
        var stream = redactor.Stream();
        long written = 0;
        foreach (var chunk in chunks)
        {
            stream.Write(chunk, sink);
            written += Drain(sink);
        }

        stream.Complete(sink);
        return written + Drain(sink);
    }

    /// <summary>Where the output would go next (the store); cleared so the sink stays small.</summary>
    private static int Drain(StringBuilder sink)
    {
        var length = sink.Length;
        sink.Clear();
        return length;
    }

    /// <summary>MB/s (10^6 chars, the output being ASCII) of one pass; the written count keeps the work observable.</summary>
    private static double Measure(int chars, Func<long> pass)
    {
        var watch = Stopwatch.StartNew();
        var written = pass();
        watch.Stop();
        if (written <= 0)
        {
            throw new InvalidOperationException("The pass wrote nothing.");
        }

        return chars / 1e6 / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Log lines as a job writes them; one in about 500 holds a secret, one in about 1000 a credential.</summary>
    private static string Output(int chars, string[] secrets)
    {
        var random = new Random(42);
        var apiKey = ApiKeys.Mint().Plaintext;
        var text = new StringBuilder(chars + 256);
        var line = 0;
        while (text.Length < chars)
        {
            line++;
            text.Append(CultureInfo.InvariantCulture, $"2026-03-01T12:{line / 60 % 60:D2}:{line % 60:D2}.{line % 1000:D3}Z {Levels[line % Levels.Length]} worker[{random.Next(1, 64)}] ");
            switch (random.Next(1000))
            {
                case < 2:
                    text.Append("connecting with key ").Append(secrets[random.Next(secrets.Length)]);
                    break;
                case < 3:
                    text.Append("GET https://api.example.com/v2/items Authorization: Bearer ").Append(apiKey);
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture,
                        $"processed batch {line} items={random.Next(1, 500)} elapsed_ms={random.Next(1, 2000)} path=/data/in/part-{random.Next(10000):D5}.json status=ok");
                    break;
            }

            text.Append('\n');
        }

        return text.ToString(0, chars);
    }

    private static string[] Chunks(string text, int size)
    {
        var chunks = new string[(text.Length + size - 1) / size];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = text.Substring(i * size, Math.Min(size, text.Length - (i * size)));
        }

        return chunks;
    }

    private static string Secret() => "sk_live_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static int ArgValue(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
