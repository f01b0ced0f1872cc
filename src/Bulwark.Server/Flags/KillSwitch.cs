using Bulwark.Core.Flags;
using Bulwark.Core.Jobs;

namespace Bulwark.Server.Flags;

/// <summary>
/// FLAG-1, FLAG-2: the template families' flags are checked again when a job is about to run, so
/// turning a flag off also stops work already queued. A job whose family is off for its tenant ends
/// <c>failed</c> with <c>feature_disabled</c> and nothing of it executes.
/// </summary>
internal static class KillSwitch
{
    public const string ErrorCode = "feature_disabled";

    /// <summary>The refusal to record instead of running <paramref name="claimed"/>, or null when it may run.</summary>
    public static AttemptResult? Refusal(IFeatureFlags flags, ClaimedJob claimed)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(claimed);
        foreach (var flag in TemplateFamilies.FlagsFor(claimed.Template.Definition))
        {
            if (!flags.IsOn(flag, claimed.Job.TenantId))
            {
                return new AttemptResult
                {
                    Kind = AttemptResultKind.PermanentFailure,
                    Error = $"The feature '{flag.Name}' was turned off before the job ran; nothing was executed.",
                    ErrorCode = ErrorCode,
                };
            }
        }

        return null;
    }
}
