using System.Text.Json;
using System.Text.Json.Serialization;
using Bulwark.Core.Audit;

namespace Bulwark.Server.Operations;

/// <summary>
/// One audit entry as a JSON line of <c>bulwark audit export</c> and an item of <c>GET /v1/audit</c>:
/// every field, the chain's included, snake_case, RFC 3339 UTC times, hashes as lowercase hex.
/// </summary>
public sealed record AuditExportLine(
    long Seq,
    DateTimeOffset At,
    string? Tenant,
    string Actor,
    string Action,
    string? Target,
    string Outcome,
    string? RequestId,
    string? TraceId,
    long? LatencyMs,
    bool DryRun,
    JsonElement? Detail,
    string Chain,
    long ChainSeq,
    string PrevHash,
    string Hash)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static AuditExportLine Of(SealedAuditEntry sealedEntry)
    {
        ArgumentNullException.ThrowIfNull(sealedEntry);
        var e = sealedEntry.Entry;
        return new AuditExportLine(
            e.Sequence, e.At.ToUniversalTime(), e.TenantId, e.Actor, e.Action, e.Target, e.Outcome, e.RequestId, e.TraceId,
            e.LatencyMs, e.DryRun, ParseDetail(e.DetailJson), sealedEntry.Chain, sealedEntry.ChainSeq, sealedEntry.PrevHash, sealedEntry.Hash);
    }

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    // The detail is JSON the server wrote; kept as JSON, or as a string if it ever is not.
    private static JsonElement? ParseDetail(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
