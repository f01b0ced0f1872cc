using System.Text.Json;
using Bulwark.Core.Flags;

namespace Bulwark.Server.Flags;

/// <summary>The audit detail of a flag change (AUD-1 "flag change"): the old and new store value and the scope.</summary>
public static class FlagAudit
{
    public const string SetAction = "flag.set";
    public const string OffAllAction = "flag.off_all";

    /// <summary>The scope word of the detail: <c>node</c>, or the tenant's name.</summary>
    public static string Scope(string? tenantName) => tenantName is null ? "node" : "tenant:" + tenantName;

    public static string Detail(bool? old, bool now, string scope) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["old"] = old is { } o ? Word(o) : null,
            ["new"] = Word(now),
            ["scope"] = scope,
        });

    /// <summary>A flag name the catalog knows, or <c>not_found</c> in one sentence.</summary>
    public static FeatureFlag Require(string name) =>
        FeatureFlags.Find(name)
        ?? throw new Core.Errors.NotFoundException(
            $"There is no feature flag named '{name}'; the flags are {string.Join(", ", FeatureFlags.All.Select(f => f.Name))}.");

    public static string Word(bool on) => on ? "on" : "off";
}
