using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;
using CsCheck;

namespace Bulwark.Core.Tests.Templates;

// JOB-1: the store persists templates with ToJson and reads them back with Parse; any valid
// definition must survive that unchanged.
public sealed class TemplateFileRoundTripTests
{
    private static readonly Gen<string> Identifier =
        Gen.String[Gen.Char["abcXYZ019_.:-"], 1, 20];

    private static readonly Gen<string> EnvName =
        Gen.Select(Gen.Char["ABCXYZ_"], Gen.String[Gen.Char["ABZ09_"], 0, 10], (first, rest) => first + rest)
            .Where(n => n != "PATH" && n != "HOME" && n != "IFS" && n != "ENV" && !n.StartsWith("LD_", StringComparison.Ordinal)
                && !n.StartsWith("BULWARK_", StringComparison.Ordinal) && !n.StartsWith("BASH", StringComparison.Ordinal)
                && n != "SHELLOPTS" && n != "PS4");

    private static readonly Gen<ResourceLimits> Limits =
        Gen.Select(Gen.Int[16, 65_536], Gen.Int[1, 86_400], Gen.Int[1, 86_400], Gen.Int[1, 4_096], Gen.Int[1, 65_536], Gen.Int[1, 65_536],
            (m, c, t, p, tmp, o) => new ResourceLimits { MemoryMb = m, CpuSeconds = c, TimeoutSeconds = t, MaxProcesses = p, TmpMb = tmp, OutputKb = o });

    private static readonly Gen<RetryPolicy> Retry =
        Gen.Select(Gen.Int[1, 100], Gen.Double[0, 600], Gen.Double[0, 86_400])
            .Where((_, b, m) => b <= m)
            .Select((a, b, m) => new RetryPolicy(a, b, m));

    private static readonly Gen<TemplateDefinition> Script =
        Gen.Select(Identifier, Identifier.Null(), Gen.String[Gen.Char.AlphaNumeric, 1, 10].Array[1, 4], Limits, Retry,
                Gen.Dictionary(EnvName, Identifier)[0, 3], Gen.Bool, Gen.Enum<NetworkPolicy>())
            .Select((key, tenant, command, limits, retry, env, action, network) => new TemplateDefinition
            {
                Key = key,
                Tenant = tenant,
                Kind = TemplateKind.Script,
                Command = command,
                Limits = limits,
                Retry = retry,
                EnvFromInputs = env,
                Action = action,
                Network = network,
                RequiredScope = action ? "ops:write" : null,
            });

    private static readonly Gen<TemplateDefinition> Http =
        Gen.Select(Identifier, Gen.OneOfConst("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"), Gen.String[Gen.Char.AlphaNumeric, 1, 12],
                Gen.Dictionary(Gen.String[Gen.Char["abXY-"], 1, 8], Gen.String[Gen.Char.AlphaNumeric, 0, 8])[0, 3], Identifier.Null())
            .Where((_, _, _, headers, _) => headers.Keys.Select(k => k.ToUpperInvariant()).Distinct().Count() == headers.Count)
            .Select((key, method, path, headers, bodyFrom) => new TemplateDefinition
            {
                Key = key,
                Kind = TemplateKind.Http,
                Request = new HttpRequestSpec { Method = method, Url = "https://api.example.com/" + path, Headers = headers },
                BodyFromInput = bodyFrom,
                Secrets = ["hook_token"],
            });

    [Fact]
    public void ToJson_then_Parse_gives_the_same_json_when_given_any_valid_definition()
    {
        var checkedCount = 0;
        Gen.OneOf(Script, Http).Sample(definition =>
        {
            var json = TemplateFile.ToJson(definition);
            var again = TemplateFile.Parse(json);
            Interlocked.Increment(ref checkedCount);
            return TemplateFile.ToJson(again) == json
                && again.Key == definition.Key
                && again.Kind == definition.Kind
                && again.Limits == definition.Limits
                && again.Retry == definition.Retry;
        });

        Assert.True(checkedCount > 0);
    }
}
