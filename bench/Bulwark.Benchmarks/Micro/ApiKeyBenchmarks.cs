using BenchmarkDotNet.Attributes;
using Bulwark.Core.Keys;

namespace Bulwark.Benchmarks.Micro;

/// <summary>Every API request with a key parses and verifies it (AUTH-2): a hot path.</summary>
[MemoryDiagnoser]
#pragma warning disable CA1515 // BenchmarkDotNet only runs public, unsealed benchmark classes.
public class ApiKeyBenchmarks
#pragma warning restore CA1515
{
    private ApiKeyRecord _record = null!;
    private string _plaintext = "";
    private string _secret = "";

    [GlobalSetup]
    public void Setup()
    {
        var minted = ApiKeys.Mint();
        _plaintext = minted.Plaintext;
        ApiKeys.TryParse(_plaintext, out _, out _secret);
        _record = new ApiKeyRecord
        {
            Id = minted.Id,
            TenantId = "ten_bench",
            Name = "bench",
            Scopes = ["jobs:read"],
            SecretHash = minted.SecretHash,
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
    }

    [Benchmark]
    public bool Parse() => ApiKeys.TryParse(_plaintext, out _, out _);

    [Benchmark]
    public bool Verify() => ApiKeys.Verify(_record, _secret);
}
