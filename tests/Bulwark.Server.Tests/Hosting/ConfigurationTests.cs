using Bulwark.Server.Hosting;

namespace Bulwark.Server.Tests.Hosting;

/// <summary>OPS-3: every setting from BULWARK_* variables or bulwark.json, validated at start (AUTHZ-4).</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public void Short_environment_names_bind_to_their_options()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
        {
            ["BULWARK_DATA_DIR"] = "/srv/bulwark",
            ["BULWARK_DATABASE"] = "/srv/bulwark/q.db",
            ["BULWARK_WORKERS"] = "9",
            ["BULWARK_SANDBOX_UID"] = "4242",
            ["BULWARK_MAX_BODY_BYTES"] = "2048",
            ["BULWARK_ENV"] = "prod",
            ["UNRELATED"] = "ignored",
        });

        Assert.Equal("/srv/bulwark", options.DataDir);
        Assert.Equal("/srv/bulwark/q.db", options.DatabasePath);
        Assert.Equal(9, options.Workers);
        Assert.Equal(4242, options.SandboxUid);
        Assert.Equal(2048, options.MaxBodyBytes);
        Assert.Equal("prod", options.Env);
    }

    [Fact]
    public void Defaults_apply_when_nothing_is_set()
    {
        var options = BulwarkConfiguration.Load(new Dictionary<string, string?>());

        Assert.Equal("./bulwark-data", options.DataDir);
        Assert.Equal(Path.Combine("./bulwark-data", "bulwark.db"), options.DatabasePath);
        Assert.Equal("http://127.0.0.1:8080", options.Urls);
        Assert.Equal("bwrap", options.Sandbox);
        Assert.Equal(1024 * 1024, options.MaxBodyBytes);
    }

    [Fact]
    public void Environment_overrides_the_config_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bulwark-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "Workers": 7, "LeaseSeconds": 60 }""");
        try
        {
            var options = BulwarkConfiguration.Load(new Dictionary<string, string?>
            {
                ["BULWARK_CONFIG"] = file,
                ["BULWARK_WORKERS"] = "3",
            });

            Assert.Equal(3, options.Workers);
            Assert.Equal(60, options.LeaseSeconds);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("BULWARK_WORKERS", "0", "BULWARK_WORKERS")]
    [InlineData("BULWARK_WORKERS", "many", "wrong type")]
    [InlineData("BULWARK_SANDBOX", "docker", "BULWARK_SANDBOX")]
    [InlineData("BULWARK_SANDBOX_UID", "0", "BULWARK_SANDBOX_UID")]
    [InlineData("BULWARK_HEARTBEAT_SECONDS", "20", "BULWARK_HEARTBEAT_SECONDS")]
    [InlineData("BULWARK_CONFIG", "/nonexistent/bulwark.json", "BULWARK_CONFIG")]
    public void Bad_setting_is_refused_with_a_sentence_naming_it(string name, string value, string named)
    {
        var error = Assert.Throws<BulwarkSettingsException>(() =>
            BulwarkConfiguration.Load(new Dictionary<string, string?> { [name] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_setting", error.Code);
    }

    [Fact] // BOX-5: unconfined runs only in development
    public void Sandbox_none_is_refused_outside_dev_and_accepted_in_dev()
    {
        var error = Assert.Throws<BulwarkSettingsException>(() => BulwarkConfiguration.Load(
            new Dictionary<string, string?> { ["BULWARK_SANDBOX"] = "none", ["BULWARK_ENV"] = "prod" }));
        Assert.Contains("BULWARK_ENV=dev", error.Message, StringComparison.Ordinal);

        var dev = BulwarkConfiguration.Load(new Dictionary<string, string?> { ["BULWARK_SANDBOX"] = "none" });
        Assert.Equal("none", dev.Sandbox);
    }

    [Fact] // BOX-1: a job is never host root, even by configuration
    public async Task Server_refuses_to_start_with_a_root_sandbox_uid()
    {
        var options = new BulwarkOptions { DataDir = Path.Combine(Path.GetTempPath(), $"bulwark-{Guid.NewGuid():N}"), SandboxUid = 0 };

        await Assert.ThrowsAsync<BulwarkSettingsException>(() => BulwarkServer.StartAsync(options, TextWriter.Null, CancellationToken.None));
        Assert.False(Directory.Exists(options.DataDir)); // refused before anything was created
    }
}
