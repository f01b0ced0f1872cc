using Bulwark.Core.Secrets;

namespace Bulwark.Core.Tests.Secrets;

// SEC-2: /{env}/{tenant}/{name} from the secrets directory, then environment variables; SEC-3: read at each lookup.
public sealed class SecretProviderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bulwark-secrets-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("bulwark-outside-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private void WriteSecret(string env, string tenant, string name, string content)
    {
        Directory.CreateDirectory(Path.Join(_root, env, tenant));
        File.WriteAllText(Path.Join(_root, env, tenant, name), content);
    }

    [Fact] // SEC-2
    public void Directory_provider_reads_env_tenant_name_and_trims_one_trailing_newline()
    {
        WriteSecret("dev", "acme", "demo_key", "s3cret-value\n\n");
        var provider = new SecretsDirectoryProvider(_root);

        Assert.Equal("s3cret-value\n", provider.Find(new SecretPath("dev", "acme", "demo_key")));
        Assert.Null(provider.Find(new SecretPath("dev", "other", "demo_key")));
        Assert.Null(provider.Find(new SecretPath("prod", "acme", "demo_key")));
    }

    [Fact] // SEC-2: a mounted Kubernetes secret, with its ..data symlinks, reads as it is
    public void Directory_provider_follows_the_Kubernetes_mounted_secret_layout()
    {
        var mount = Path.Join(_root, "dev", "acme");
        Directory.CreateDirectory(Path.Join(mount, "..2024_01_01_00_00_00.1"));
        File.WriteAllText(Path.Join(mount, "..2024_01_01_00_00_00.1", "demo_key"), "k8s-value");
        File.CreateSymbolicLink(Path.Join(mount, "..data"), "..2024_01_01_00_00_00.1");
        File.CreateSymbolicLink(Path.Join(mount, "demo_key"), "..data/demo_key");

        Assert.Equal("k8s-value", new SecretsDirectoryProvider(_root).Find(new SecretPath("dev", "acme", "demo_key")));
    }

    [Fact] // SEC-2: a symlink may not lead out of the secrets directory
    public void Directory_provider_refuses_a_symlink_that_escapes_the_directory()
    {
        File.WriteAllText(Path.Join(_outside, "host_file"), "not-a-secret-of-this-dir");
        Directory.CreateDirectory(Path.Join(_root, "dev", "acme"));
        File.CreateSymbolicLink(Path.Join(_root, "dev", "acme", "demo_key"), Path.Join(_outside, "host_file"));
        Directory.CreateSymbolicLink(Path.Join(_root, "dev", "evil"), _outside);
        var provider = new SecretsDirectoryProvider(_root);

        var direct = Assert.Throws<SecretRefusedException>(() => provider.Find(new SecretPath("dev", "acme", "demo_key")));
        var viaDir = Assert.Throws<SecretRefusedException>(() => provider.Find(new SecretPath("dev", "evil", "host_file")));

        Assert.Contains("/dev/acme/demo_key", direct.Message, StringComparison.Ordinal);
        Assert.Contains("outside the secrets directory", viaDir.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-secret", direct.Message + viaDir.Message, StringComparison.Ordinal);
    }

    [Theory] // SEC-2: names that are not identifiers never reach the file system
    [InlineData("dev", "..", "demo_key")]
    [InlineData("dev", ".", "demo_key")]
    [InlineData("dev", "..data", "demo_key")]
    [InlineData("dev", "a/b", "demo_key")]
    [InlineData("..", "acme", "demo_key")]
    [InlineData("dev", "acme", "../demo_key")]
    [InlineData("dev", "acme", "Demo_Key")]
    [InlineData("dev", "acme", "")]
    public void Bad_path_parts_are_refused_before_any_lookup(string env, string tenant, string name)
    {
        var asked = new List<string>();
        var resolver = new SecretResolver([new EnvironmentSecretProvider(v => { asked.Add(v); return "x"; })]);

        var e = Assert.Throws<SecretRefusedException>(() => resolver.Resolve(env, tenant, [name]));

        Assert.Equal("secret_path_refused", e.Code);
        Assert.Empty(asked);
    }

    [Fact] // SEC-2: the directory is asked first, then the environment
    public void Resolver_asks_the_directory_before_the_environment()
    {
        WriteSecret("dev", "acme", "from_both", "dir-value");
        var variables = new Dictionary<string, string>
        {
            ["BULWARK_SECRET_DEV_ACME_FROM_BOTH"] = "env-value",
            ["BULWARK_SECRET_DEV_ACME_ENV_ONLY"] = "env-only-value",
        };
        var resolver = new SecretResolver([new SecretsDirectoryProvider(_root), new EnvironmentSecretProvider(variables.GetValueOrDefault)]);

        var resolved = resolver.Resolve("dev", "acme", ["from_both", "env_only"]);

        Assert.Equal(["dir-value", "env-only-value"], resolved.Select(r => r.Value));
        Assert.Equal("FROM_BOTH", resolved[0].Path.VariableName);
        Assert.Equal("/dev/acme/from_both", resolved[0].ToString());
    }

    [Fact] // SEC-2: a missing secret names its path and where it was looked for, never a value
    public void Missing_secret_names_its_path_and_places()
    {
        var resolver = new SecretResolver([new SecretsDirectoryProvider(_root), new EnvironmentSecretProvider(_ => null)]);

        var e = Assert.Throws<SecretRefusedException>(() => resolver.Resolve("dev", "acme", ["demo_key"]));

        Assert.Equal("secret_missing", e.Code);
        Assert.Contains("/dev/acme/demo_key", e.Message, StringComparison.Ordinal);
        Assert.Contains("BULWARK_SECRET_DEV_ACME_DEMO_KEY", e.Message, StringComparison.Ordinal);
    }

    [Fact] // SEC-3: a rotated file is what the next lookup reads
    public void Rotated_file_is_read_at_the_next_lookup()
    {
        WriteSecret("dev", "acme", "demo_key", "first");
        var resolver = new SecretResolver([new SecretsDirectoryProvider(_root)]);
        var before = resolver.Resolve("dev", "acme", ["demo_key"]).Single().Value;

        WriteSecret("dev", "acme", "demo_key", "second");

        Assert.Equal("first", before);
        Assert.Equal("second", resolver.Resolve("dev", "acme", ["demo_key"]).Single().Value);
    }

    [Theory] // SEC-2, TEN-1: the variable mapping is shared by some tenants, which the environment provider then does not serve
    [InlineData("dev", "acme", "demo_key", "BULWARK_SECRET_DEV_ACME_DEMO_KEY", true)]
    [InlineData("prod", "t42", "k", "BULWARK_SECRET_PROD_T42_K", true)]
    [InlineData("dev", "a_b", "c", "BULWARK_SECRET_DEV_A_B_C", false)]
    [InlineData("dev", "acme-corp", "k", "BULWARK_SECRET_DEV_ACME_CORP_K", false)]
    [InlineData("dev", "Acme", "k", "BULWARK_SECRET_DEV_ACME_K", false)]
    [InlineData("my-env", "acme", "k", "BULWARK_SECRET_MY_ENV_ACME_K", false)]
    public void Environment_variable_mapping_and_which_paths_it_serves(string env, string tenant, string name, string variable, bool served)
    {
        var path = new SecretPath(env, tenant, name);
        var provider = new EnvironmentSecretProvider(v => v == variable ? "value" : null);

        Assert.Equal(variable, EnvironmentSecretProvider.VariableFor(path));
        Assert.Equal(served, EnvironmentSecretProvider.Serves(path));
        Assert.Equal(served ? "value" : null, provider.Find(path));
    }

    [Fact]
    public void Resolved_secret_prints_its_path_never_its_value()
    {
        var secret = new ResolvedSecret(new SecretPath("dev", "acme", "demo_key"), "hidden-value");

        Assert.Equal("/dev/acme/demo_key", $"{secret}");
    }
}
