using System.Text;
using Bulwark.Core.Sandbox;

namespace Bulwark.Sandbox;

/// <summary>
/// Reads stdout and stderr concurrently (a job blocked on a full stderr pipe while we wait on
/// stdout would otherwise hang) into one shared byte budget (BOX-2, JOB-6). With a
/// <paramref name="sink"/>, every chunk kept within the budget is also passed on as it arrives,
/// decoded by a per-stream <see cref="Decoder"/> so a UTF-8 character split across two reads
/// is not mangled (JOB-6 live logs).
/// </summary>
internal sealed class OutputCapture(int capBytes, Action onCapExceeded, IOutputSink? sink = null)
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly Lock _gate = new();
    private readonly Captured _stdout = new(OutputStream.Stdout);
    private readonly Captured _stderr = new(OutputStream.Stderr);
    private int _captured;
    private bool _exceeded;
    private bool _completed;

    public bool Exceeded
    {
        get
        {
            lock (_gate)
            {
                return _exceeded;
            }
        }
    }

    public string Stdout => Decode(_stdout.Bytes);

    public string Stderr => Decode(_stderr.Bytes);

    public Task PumpStdoutAsync(Stream source) => PumpAsync(source, _stdout);

    public Task PumpStderrAsync(Stream source) => PumpAsync(source, _stderr);

    /// <summary>
    /// The end of the run: passes on what the decoders still hold (an incomplete character at the
    /// end, as the replacement character, exactly as the whole-buffer decoding has it); after
    /// this nothing more is captured, even from a pump that is still draining.
    /// </summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            if (sink is not null)
            {
                Pass(_stdout, [], flush: true);
                Pass(_stderr, [], flush: true);
            }
        }
    }

    private async Task PumpAsync(Stream source, Captured target)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await source.ReadAsync(buffer).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (read == 0)
            {
                return;
            }

            var exceededNow = false;
            lock (_gate)
            {
                if (_completed)
                {
                    // The result is taken: what a leftover pipe holder writes now is dropped, so
                    // the result and the sink's chunks stay the same text.
                    continue;
                }

                var room = capBytes - _captured;
                var take = Math.Min(room, read);
                target.Bytes.Write(buffer, 0, take);
                _captured += take;
                if (read > room && !_exceeded)
                {
                    _exceeded = true;
                    exceededNow = true;
                }

                // Under the gate: the sink hears each stream's chunks in order, one call at a time,
                // and only the bytes within the cap.
                if (sink is not null && take > 0)
                {
                    Pass(target, buffer.AsSpan(0, take), flush: false);
                }
            }

            // Keep draining after the cap so the job never blocks on a full pipe before it is killed.
            if (exceededNow)
            {
                onCapExceeded();
            }
        }
    }

    private void Pass(Captured target, ReadOnlySpan<byte> bytes, bool flush)
    {
        var chars = target.Chars(Utf8.GetMaxCharCount(bytes.Length) + 2);
        var count = target.Decoder.GetChars(bytes, chars, flush);
        if (count > 0)
        {
            sink!.Write(target.Stream, new string(chars, 0, count));
        }
    }

    private string Decode(MemoryStream stream)
    {
        lock (_gate)
        {
            return Utf8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
        }
    }

    private sealed class Captured(OutputStream stream)
    {
        private char[] _chars = [];

        public OutputStream Stream { get; } = stream;

        public MemoryStream Bytes { get; } = new();

        public Decoder Decoder { get; } = Utf8.GetDecoder();

        public char[] Chars(int atLeast)
        {
            if (_chars.Length < atLeast)
            {
                _chars = new char[atLeast];
            }

            return _chars;
        }
    }
}
