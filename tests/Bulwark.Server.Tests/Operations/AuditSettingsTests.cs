using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;

namespace Bulwark.Server.Tests.Operations;

/// <summary>BULWARK_AUDIT_KEY and the retention settings (AUD-2, AUD-3): the key's forms, where it lives, and the refusals (which never repeat it).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AuditSettingsTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "bulwark-auditkey-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact] // AUD-2: nodes must share the key, so PostgreSQL never invents one
    public void PostgreSQL_without_a_key_refuses_to_start_naming_the_setting()
    {
        var options = new BulwarkOptions { DataDir = _dataDir, Database = "Host=127.0.0.1;Database=bulwark;Username=app" };

        var refusal = Assert.Throws<BulwarkSettingsException>(() => AuditSettings.KeyFor(options));

        Assert.Contains("BULWARK_AUDIT_KEY", refusal.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dataDir));
    }

    [Fact] // AUD-2: the embedded store's key is generated once beside the database, owner-only, and reused
    public void SQLite_without_a_key_generates_audit_key_0600_once_and_reuses_it()
    {
        var options = new BulwarkOptions { DataDir = _dataDir };

        var first = AuditSettings.KeyFor(options);
        var text = File.ReadAllText(Path.Combine(_dataDir, "audit.key"));
        var second = AuditSettings.KeyFor(options);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dataDir, "audit.key")));
        Assert.Equal(text, File.ReadAllText(Path.Combine(_dataDir, "audit.key")));
        var entry = new Core.Audit.AuditEntry { At = DateTimeOffset.UnixEpoch, Actor = "a", Action = "b", Outcome = "success" };
        Assert.Equal(
            Core.Audit.AuditChain.Seal(first, entry, "system", 1, Core.Audit.AuditChain.Genesis.Span),
            Core.Audit.AuditChain.Seal(second, entry, "system", 1, Core.Audit.AuditChain.Genesis.Span));
        Assert.Equal("AuditKey(hidden)", first.ToString());
    }

    [Theory] // 32 bytes as 64 hex digits or as base64
    [InlineData("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")]
    [InlineData("ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=")]
    public void A_key_of_32_bytes_in_hex_or_base64_is_accepted(string key)
    {
        var options = new BulwarkOptions { DataDir = _dataDir, AuditKey = key, Database = "Host=db;Username=app" };

        AuditSettings.Validate(options);

        Assert.NotNull(AuditSettings.KeyFor(options));
        Assert.False(Directory.Exists(_dataDir));
    }

    [Theory]
    [InlineData("too-short-to-be-a-key")]
    [InlineData("0011223344556677")]
    public void A_short_or_malformed_key_is_refused_without_repeating_it(string key)
    {
        var refusal = Assert.Throws<BulwarkSettingsException>(() => AuditSettings.Validate(new BulwarkOptions { AuditKey = key }));

        Assert.Contains("BULWARK_AUDIT_KEY", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, refusal.Message, StringComparison.Ordinal);
    }
}
