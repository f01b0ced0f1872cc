using System.Text;

namespace Bulwark.Sandbox;

/// <summary>
/// Reads stdout and stderr concurrently (a job blocked on a full stderr pipe while we wait on
/// stdout would otherwise hang) into one shared byte budget (BOX-2, JOB-6).
/// </summary>
internal sealed class OutputCapture(int capBytes, Action onCapExceeded)
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly Lock _gate = new();
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private int _captured;
    private bool _exceeded;

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

    public string Stdout => Decode(_stdout);

    public string Stderr => Decode(_stderr);

    public Task PumpStdoutAsync(Stream source) => PumpAsync(source, _stdout);

    public Task PumpStderrAsync(Stream source) => PumpAsync(source, _stderr);

    private async Task PumpAsync(Stream source, MemoryStream target)
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
                var room = capBytes - _captured;
                var take = Math.Min(room, read);
                target.Write(buffer, 0, take);
                _captured += take;
                if (read > room && !_exceeded)
                {
                    _exceeded = true;
                    exceededNow = true;
                }
            }

            // Keep draining after the cap so the job never blocks on a full pipe before it is killed.
            if (exceededNow)
            {
                onCapExceeded();
            }
        }
    }

    private string Decode(MemoryStream stream)
    {
        lock (_gate)
        {
            return Utf8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
        }
    }
}
