using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Audit;
using Microsoft.Extensions.Logging;

namespace Bulwark.Server.Audit;

/// <summary>
/// AUD-4: every security-relevant audit entry is also one JSON line in the server log, in the
/// seed 003 shape (<c>timestamp</c>, <c>level: "SECURITY"</c>, <c>event</c>, who, from where).
/// The line is built from the entry as stored, so it says nothing the audit trail does not.
/// </summary>
internal sealed partial class SecurityEventLog(ILoggerFactory loggers)
{
    /// <summary>The logger category of the lines; <see cref="SecurityEventLoggerProvider"/> writes it, the console logger never.</summary>
    public const string Category = "Bulwark.Security";

    // Action prefixes that are security events even when they succeed: credentials, identities,
    // authorisation, tenants, fences and operators (SPEC AUD-1's security entries).
    private static readonly string[] SecurityActions =
    [
        "auth.", "authz.", "runtime.auth.", "worker.auth.", "runtime.fence.", "policy_token.", "key.", "credential.",
        "tenant.", "user.", "operator.", "rate_limit.", "flag.",
    ];

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    /// <summary>Refusals of any kind, and the actions above whatever their outcome.</summary>
    public static bool IsSecurityEvent(AuditEntry entry) =>
        entry.Outcome != "success" || Array.Exists(SecurityActions, p => entry.Action.StartsWith(p, StringComparison.Ordinal));

    public void Write(AuditEntry entry)
    {
        if (IsSecurityEvent(entry))
        {
            Line(_logger, ToJson(entry));
        }
    }

    /// <summary>The JSON object of one entry; <c>event</c> is the action with '.' as '_' (<c>auth.failure</c> → <c>auth_failure</c>).</summary>
    public static string ToJson(AuditEntry entry)
    {
        var detail = Detail(entry.DetailJson);
        var line = new JsonObject
        {
            ["timestamp"] = entry.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["level"] = "SECURITY",
            ["event"] = entry.Action.Replace('.', '_'),
            ["outcome"] = entry.Outcome,
            ["tenantId"] = entry.TenantId,
            ["clientId"] = entry.Actor,
            ["target"] = entry.Target,
            ["requestId"] = entry.RequestId,
            ["traceId"] = entry.TraceId,
            ["ip"] = detail?["remote"]?.DeepClone(),
            ["reason"] = detail?["reason"]?.DeepClone(),
            ["dryRun"] = entry.DryRun,
            ["detail"] = detail,
        };
        return line.ToJsonString();
    }

    private static JsonObject? Detail(string? detailJson)
    {
        if (detailJson is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(detailJson) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(4000, LogLevel.Warning, "{Line}")]
    private static partial void Line(ILogger logger, string line);
}
