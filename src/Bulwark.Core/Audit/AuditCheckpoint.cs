using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Core.Audit;

/// <summary>
/// AUD-2, AUD-3: retention removes the oldest entries of a chain only behind a checkpoint, an entry
/// appended to the same chain (so sealed like any other) that records how far the chain was cut
/// and the hash of the last entry removed. The first remaining entry points back to that hash, so
/// the rest of the chain still verifies, and the removal is itself on the chain.
/// </summary>
public sealed record AuditCheckpoint(
    [property: JsonPropertyName("through_chain_seq")] long ThroughChainSeq,
    [property: JsonPropertyName("through_hash")] string ThroughHash,
    [property: JsonPropertyName("removed")] long Removed,
    [property: JsonPropertyName("before")] DateTimeOffset Before)
{
    public const string Action = "audit.checkpoint";

    /// <summary>The checkpoint entry appended to <paramref name="chain"/>.</summary>
    public AuditEntry ToEntry(string chain, DateTimeOffset at) => new()
    {
        At = at,
        TenantId = AuditChain.TenantOf(chain),
        Actor = "system:retention",
        Action = Action,
        Target = chain,
        Outcome = "success",
        DetailJson = JsonSerializer.Serialize(this),
    };

    /// <summary>The checkpoint an entry records, or null when it is not one (or not readable as one).</summary>
    public static AuditCheckpoint? Of(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Action != Action || entry.DetailJson is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<AuditCheckpoint>(entry.DetailJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
