namespace Bulwark.Core.Sandbox;

/// <summary>Which of a run's output streams a chunk came from.</summary>
public enum OutputStream
{
    Stdout,
    Stderr,
}

/// <summary>
/// Receives a run's output while it runs (JOB-6 live logs): the text of each chunk as it is read,
/// in order per stream, decoded from UTF-8 so a character split across reads arrives whole. Only
/// what fits in the output cap (<c>output_kb</c>) is passed on; the chunks of a stream concatenate
/// to the result's <see cref="SandboxResult.Stdout"/> or <see cref="SandboxResult.Stderr"/>.
/// </summary>
/// <remarks>
/// The text is the job's raw output, secrets and all: whatever stores or shows it must redact it
/// first (SEC-4). Called on the sandbox's reader threads, one call at a time; it must be quick and
/// must not throw.
/// </remarks>
public interface IOutputSink
{
    void Write(OutputStream stream, string text);
}
