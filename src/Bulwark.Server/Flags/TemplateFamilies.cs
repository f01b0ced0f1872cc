using Bulwark.Core.Flags;
using Bulwark.Core.Templates;

namespace Bulwark.Server.Flags;

/// <summary>
/// FLAG-1: a template family follows its flag — <c>autopilot.*</c> needs autopilot jobs,
/// <c>verify.*</c> verify jobs, every action template action jobs. The prefixes match in any case:
/// keys may hold capitals, and <c>Autopilot.restart</c> is no less an autopilot job. Checked wherever a job is
/// created (API, trigger, replay) and again before it runs, so the kill switch stops queued work too.
/// </summary>
public static class TemplateFamilies
{
    /// <summary>Every flag <paramref name="template"/> needs, none for an ordinary template.</summary>
    public static IReadOnlyList<FeatureFlag> FlagsFor(TemplateDefinition template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var flags = new List<FeatureFlag>(2);
        if (template.Key.StartsWith("autopilot.", StringComparison.OrdinalIgnoreCase))
        {
            flags.Add(FeatureFlags.AutopilotJobs);
        }

        if (template.Key.StartsWith("verify.", StringComparison.OrdinalIgnoreCase))
        {
            flags.Add(FeatureFlags.VerifyJobs);
        }

        if (template.Action)
        {
            flags.Add(FeatureFlags.ActionJobs);
        }

        return flags;
    }

    /// <summary>Throws <c>feature_disabled</c> naming the first of the template's flags that is off for the tenant.</summary>
    public static void RequireEnabled(IFeatureFlags flags, TemplateDefinition template, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(flags);
        foreach (var flag in FlagsFor(template))
        {
            flags.Require(flag, tenantId);
        }
    }
}
