using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Identity;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RevocationRecord = Bulwark.Core.Identity.Revocation;

namespace Bulwark.Server.Revocation;

/// <summary>
/// Revocations asked for through the API (AUTH-5): always within the caller's own tenant, written
/// to the store for every other node and applied to this node's cache at once. A key of another
/// tenant is answered exactly like a key that does not exist (TEN-1), and the refusal is audited.
/// </summary>
internal sealed class CredentialRevoker(
    IBulwarkStore store,
    RevocationCache cache,
    AuditTrail audit,
    TimeProvider time,
    ILogger<CredentialRevoker> logger)
{
    public const int MaxValueLength = 256;

    public async Task<RevocationRecord> RevokeAsync(
        HttpContext http, Principal caller, RevocationKind kind, string value, string? reason, CancellationToken ct)
    {
        RequireValue(value, kind);
        if (reason is { Length: > MaxValueLength })
        {
            throw new InvalidPayloadException($"The field 'reason' must be at most {MaxValueLength} characters.");
        }

        var action = kind == RevocationKind.Key ? "key.revoke" : "credential.revoke";
        if (kind == RevocationKind.Key)
        {
            await RequireOwnKeyAsync(http, caller, value, action, ct);
            await store.RevokeApiKeyAsync(value, time.GetUtcNow(), ct);
        }
        else if (kind == RevocationKind.Subject && value.StartsWith("key:", StringComparison.Ordinal))
        {
            // A key's subject names a key: the same tenant check as revoking the key itself.
            await RequireOwnKeyAsync(http, caller, value["key:".Length..], action, ct);
        }
        else if (kind == RevocationKind.Tenant)
        {
            throw new InvalidPayloadException("A tenant is suspended by the operator (bulwark tenants suspend), not through the API.");
        }

        var revocation = new RevocationRecord
        {
            Id = RevocationRecord.NewId(time),
            Kind = kind,
            TenantId = caller.Tenant.TenantId,
            Value = value,
            CreatedAt = time.GetUtcNow(),
            Reason = reason,
            Actor = caller.Subject,
        };
        await store.AddRevocationAsync(revocation, ct);
        cache.Apply(revocation);
        RevocationLog.Revoked(logger, kind.ToName(), caller.Tenant.TenantName, caller.Subject);
        await audit.RecordAsync(
            audit.Entry(http, caller.Tenant.TenantId, caller.Subject, action, Target(kind, value), "success", Detail(kind, reason)),
            ct);
        return revocation;
    }

    private async Task RequireOwnKeyAsync(HttpContext http, Principal caller, string keyId, string action, CancellationToken ct)
    {
        var key = await store.FindApiKeyAsync(keyId, ct);
        if (key is null || key.TenantId != caller.Tenant.TenantId)
        {
            var detail = JsonSerializer.Serialize(new Dictionary<string, string> { ["reason"] = "not_found" });
            await audit.RecordAsync(
                audit.Entry(http, caller.Tenant.TenantId, caller.Subject, action, Target(RevocationKind.Key, keyId), "denied", detail),
                ct);
            throw new NotFoundException("There is no such key.");
        }
    }

    private static void RequireValue(string value, RevocationKind kind)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxValueLength || value.Any(char.IsControl))
        {
            throw new InvalidPayloadException(
                $"The {kind.ToName()} to revoke must be 1 to {MaxValueLength} printable characters.");
        }
    }

    private static string Target(RevocationKind kind, string value) => $"{kind.ToName()}:{value}";

    private static string Detail(RevocationKind kind, string? reason) =>
        JsonSerializer.Serialize(new Dictionary<string, string?> { ["kind"] = kind.ToName(), ["reason"] = reason });
}
