using System.Text.Json;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;

namespace Bulwark.Server.Worker;

/// <summary>One claimed job as a remote worker gets it: the fence, the exact template to run and the inputs.</summary>
internal sealed record ClaimedJobView(
    string JobId,
    string TenantId,
    string TemplateKey,
    int TemplateVersion,
    int Attempt,
    int MaxAttempts,
    string LeaseToken,
    DateTimeOffset LeaseExpiresAt,
    JsonElement Template,
    JsonElement Inputs)
{
    public static ClaimedJobView Of(ClaimedJob claimed)
    {
        return new ClaimedJobView(
            claimed.Job.Id,
            claimed.Job.TenantId,
            claimed.Template.Key,
            claimed.Template.Version,
            claimed.Lease.Attempt,
            claimed.Job.MaxAttempts,
            claimed.Lease.Token,
            claimed.LeaseExpiresAt,
            JsonElement.Parse(TemplateFile.ToJson(claimed.Template.Definition)),
            JsonElement.Parse(claimed.Job.InputsJson));
    }
}
