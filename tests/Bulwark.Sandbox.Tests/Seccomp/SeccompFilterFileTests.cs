using Bulwark.Sandbox.Seccomp;

namespace Bulwark.Sandbox.Tests.Seccomp;

public sealed class SeccompFilterFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"bulwark-seccomp-file-{Guid.NewGuid():N}");

    public SeccompFilterFileTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public void Write_creates_a_root_only_file_holding_the_program_when_given_a_directory()
    {
        var path = SeccompFilterFile.Write(_directory);

        Assert.Equal(_directory, Path.GetDirectoryName(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(SeccompFilter.Build(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_creates_a_new_file_each_time_when_called_twice()
    {
        Assert.NotEqual(SeccompFilterFile.Write(_directory), SeccompFilterFile.Write(_directory));
        Assert.Equal(2, Directory.GetFiles(_directory).Length);
    }

    [Fact]
    public void Write_throws_when_the_directory_is_missing()
    {
        Assert.ThrowsAny<IOException>(() => SeccompFilterFile.Write(Path.Combine(_directory, "missing")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
