using System.Text.Json;
using Bulwark.Core.Egress;
using Bulwark.Core.Redaction;
using Bulwark.Core.Storage;
using Bulwark.Server.Audit;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Egress;

/// <summary>
/// Outbound requests on behalf of a tenant's run (NET-1): the tenant's allow-list, the guard, and
/// one <c>egress.request</c> audit entry per hop sent or refused (AUD-1); a refusal is a security
/// event (AUD-4). The http job kind and the runtime API's <c>POST http</c> both come here.
/// </summary>
internal sealed class EgressService(BulwarkOptions options, IHostResolver resolver, IBulwarkStore store, AuditTrail audit)
{
    public const string AuditAction = "egress.request";

    private readonly EgressClient _client = new(
        EgressSettings.Rules(options), resolver, options.EgressMaxResponseBytes, TimeSpan.FromSeconds(options.EgressTimeoutSeconds));

    /// <param name="http">The runtime API call this request is made for, if any (request ids in the audit entry).</param>
    /// <param name="actor">Who asks: <c>task:&lt;job id&gt;</c>.</param>
    /// <param name="redactor">The run's redactor: a secret in a URL (a webhook's path, say) never reaches the audit entry (SEC-4).</param>
    /// <exception cref="EgressException">Refused, timed out, too large or failed.</exception>
    public async Task<EgressResponse> SendAsync(
        HttpContext? http, string tenantId, string actor, EgressRequest request, Redactor redactor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(request);
        var tenant = await store.FindTenantByIdAsync(tenantId, ct);
        var allowList = tenant is null ? EgressAllowList.None : options.EgressAllowLists.For(tenant.Name);
        return await _client.SendAsync(
            request,
            allowList,
            hop => audit.RecordAsync(
                audit.Entry(http, tenantId, actor, AuditAction, redactor.Redact(hop.Target), hop.Outcome, redactor.Redact(Detail(request.Method, hop))),
                CancellationToken.None),
            ct);
    }

    private static string Detail(string method, EgressHop hop)
    {
        var detail = new Dictionary<string, object?> { ["method"] = method };
        if (hop.Status is { } status)
        {
            detail["status"] = status;
        }

        if (hop.Bytes is { } bytes)
        {
            detail["bytes"] = bytes;
        }

        if (hop.Reason is { } reason)
        {
            detail["reason"] = reason;
        }

        return JsonSerializer.Serialize(detail);
    }
}
