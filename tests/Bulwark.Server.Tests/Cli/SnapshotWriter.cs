using System.Text;

namespace Bulwark.Server.Tests.Cli;

/// <summary>A text writer another thread may read while the command still writes (live output tests).</summary>
internal sealed class SnapshotWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_text)
        {
            _text.Append(buffer, index, count);
        }
    }

    public string Snapshot()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}
