using Bulwark.Core.Audit;
using Bulwark.Core.Errors;
using Bulwark.Core.Identity;
using Bulwark.Core.Keys;
using Bulwark.Core.Storage;
using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;
using RevocationRecord = Bulwark.Core.Identity.Revocation;

namespace Bulwark.Server.Operations;

/// <summary>
/// The operator's cross-tenant commands (TEN-3), run straight against the store by the CLI.
/// Each one is audited with actor <c>operator</c>.
/// </summary>
public sealed class OperatorCommands(IBulwarkStore store, TimeProvider time)
{
    private const string Actor = "operator";

    public async Task<Tenant> CreateTenantAsync(string name, CancellationToken ct)
    {
        Identifiers.Require(name, "tenant name");
        // Per-tenant settings name a tenant by its setting key (BULWARK_EGRESS_ALLOW_ACME_EU): two
        // tenants with one key would share an allow-list and retention windows (TEN-1).
        var key = TenantSettingKey.Of(name);
        if ((await store.ListTenantsAsync(ct)).FirstOrDefault(t => TenantSettingKey.Of(t.Name) == key) is { } twin)
        {
            throw new ConflictException(
                $"Tenant '{name}' would share the settings name {key} (as in BULWARK_EGRESS_ALLOW_{key}) with tenant '{twin.Name}'; choose another name.");
        }

        var tenant = new Tenant("ten_" + Guid.CreateVersion7(time.GetUtcNow()).ToString("N"), name, time.GetUtcNow());
        await store.CreateTenantAsync(tenant, ct);
        await AuditAsync(tenant.Id, "tenant.create", name, ct);
        return tenant;
    }

    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken ct) => store.ListTenantsAsync(ct);

    /// <summary>Creates a key and returns its plaintext, which nothing else keeps (AUTH-2).</summary>
    public async Task<(ApiKeyRecord Key, string Plaintext)> CreateKeyAsync(
        string tenantName, IReadOnlyList<string> scopes, TimeSpan? expiresIn, string? name, CancellationToken ct)
    {
        var tenant = await RequireTenantAsync(tenantName, ct);
        var record = NewKey(tenant.Id, scopes, expiresIn, name);
        await store.CreateApiKeyAsync(record.Key, ct);
        await AuditAsync(tenant.Id, "key.create", record.Key.Id, ct);
        return record;
    }

    /// <summary>Builds (without storing) a key record and its plaintext; validates the scopes.</summary>
    public (ApiKeyRecord Key, string Plaintext) NewKey(string tenantId, IReadOnlyList<string> scopes, TimeSpan? expiresIn, string? name)
    {
        if (scopes.Count == 0)
        {
            throw new InvalidPayloadException("A key needs at least one scope.");
        }

        foreach (var scope in scopes)
        {
            if (!Scopes.IsWellFormed(scope))
            {
                throw new InvalidPayloadException($"The scope '{scope}' is not of the form area:verb or '*'.");
            }
        }

        if (expiresIn is { } e && e <= TimeSpan.Zero)
        {
            throw new InvalidPayloadException("A key's lifetime must be positive.");
        }

        var minted = ApiKeys.Mint();
        var now = time.GetUtcNow();
        var record = new ApiKeyRecord
        {
            Id = minted.Id,
            TenantId = tenantId,
            Name = string.IsNullOrWhiteSpace(name) ? minted.Id : name.Trim(),
            Scopes = scopes,
            SecretHash = minted.SecretHash,
            CreatedAt = now,
            ExpiresAt = expiresIn is { } ttl ? now + ttl : null,
        };
        return (record, minted.Plaintext);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string tenantName, CancellationToken ct)
    {
        var tenant = await RequireTenantAsync(tenantName, ct);
        return await store.ListApiKeysAsync(TenantScope.Of(tenant), ct);
    }

    public async Task RevokeKeyAsync(string keyId, CancellationToken ct)
    {
        var key = await store.FindApiKeyAsync(keyId, ct);
        if (key is null || !await store.RevokeApiKeyAsync(keyId, time.GetUtcNow(), ct))
        {
            throw new NotFoundException($"There is no active key with id '{keyId}'.");
        }

        // AUTH-5: also a revocation row, which every node's cache follows (the key row alone is
        // read only by the node that authenticates it, and any cache in front of it would not see it).
        await store.AddRevocationAsync(NewRevocation(RevocationKind.Key, key.TenantId, keyId, reason: null), ct);
        await AuditAsync(key.TenantId, "key.revoke", keyId, ct);
    }

    /// <summary>Revokes one token by its <c>jti</c> (AUTH-5): in the named tenant, or in every tenant when none is named.</summary>
    public async Task<RevocationRecord> RevokeTokenAsync(string jti, string? tenantName, string? reason, CancellationToken ct)
    {
        RequireRevocationValue(jti, "--jti");
        var tenantId = tenantName is null ? null : (await RequireTenantAsync(tenantName, ct)).Id;
        var revocation = NewRevocation(RevocationKind.Jti, tenantId, jti, reason);
        await store.AddRevocationAsync(revocation, ct);
        await AuditAsync(tenantId, "credential.revoke", $"jti:{jti}", ct);
        return revocation;
    }

    /// <summary>Revokes every credential of <paramref name="subject"/> in the tenant (AUTH-5).</summary>
    public async Task<RevocationRecord> RevokeSubjectAsync(string subject, string tenantName, string? reason, CancellationToken ct)
    {
        RequireRevocationValue(subject, "--subject");
        var tenant = await RequireTenantAsync(tenantName, ct);
        var revocation = NewRevocation(RevocationKind.Subject, tenant.Id, subject, reason);
        await store.AddRevocationAsync(revocation, ct);
        await AuditAsync(tenant.Id, "credential.revoke", $"subject:{subject}", ct);
        return revocation;
    }

    /// <summary>
    /// TEN-4: every credential of the tenant is refused (on every node within the revocation
    /// refresh bound) and its jobs stay queued, until <see cref="ResumeTenantAsync"/>.
    /// </summary>
    public Task SuspendTenantAsync(string name, CancellationToken ct) => SetSuspendedAsync(name, true, "tenant.suspend", ct);

    public Task ResumeTenantAsync(string name, CancellationToken ct) => SetSuspendedAsync(name, false, "tenant.resume", ct);

    private async Task SetSuspendedAsync(string name, bool suspended, string action, CancellationToken ct)
    {
        var tenant = await RequireTenantAsync(name, ct);
        if (!await store.SetTenantSuspendedAsync(name, suspended, ct))
        {
            throw new NotFoundException($"There is no tenant named '{name}'.");
        }

        await AuditAsync(tenant.Id, action, name, ct);
    }

    /// <summary>
    /// TEN-4, right to deletion: every row of the tenant in every table, its audit chain included,
    /// is deleted; the system chain records <c>tenant.purge</c> with the tenant id and the row counts.
    /// </summary>
    public async Task<TenantPurge> PurgeTenantAsync(string name, CancellationToken ct)
    {
        var record = new AuditEntry
        {
            At = time.GetUtcNow(),
            Actor = Actor,
            Action = TenantPurge.Action,
            Outcome = "success",
        };
        return await store.PurgeTenantAsync(name, record, ct)
            ?? throw new NotFoundException($"There is no tenant named '{name}'.");
    }

    private RevocationRecord NewRevocation(RevocationKind kind, string? tenantId, string value, string? reason) => new()
    {
        Id = RevocationRecord.NewId(time),
        Kind = kind,
        TenantId = tenantId,
        Value = value,
        CreatedAt = time.GetUtcNow(),
        Reason = reason,
        Actor = Actor,
    };

    private static void RequireRevocationValue(string value, string option)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 256 || value.Any(char.IsControl))
        {
            throw new InvalidPayloadException($"{option} must be 1 to 256 printable characters.");
        }
    }

    /// <summary>Registers a template from its file text; the tenant comes from the file (null: global).</summary>
    public async Task<JobTemplate> ApplyTemplateAsync(string text, CancellationToken ct)
    {
        var definition = TemplateFile.Parse(text);
        string? ownerId = null;
        if (definition.Tenant is { } tenantName)
        {
            ownerId = (await RequireTenantAsync(tenantName, ct)).Id;
        }

        var template = await store.PutTemplateAsync(ownerId, definition, time.GetUtcNow(), ct);
        await AuditAsync(ownerId, "template.put", $"{template.Key}@{template.Version}", ct);
        return template;
    }

    public async Task<IReadOnlyList<JobTemplate>> ListTemplatesAsync(string tenantName, CancellationToken ct)
    {
        var tenant = await RequireTenantAsync(tenantName, ct);
        return await store.ListTemplatesAsync(TenantScope.Of(tenant), ct);
    }

    private async Task<Tenant> RequireTenantAsync(string name, CancellationToken ct) =>
        await store.FindTenantByNameAsync(name, ct)
        ?? throw new NotFoundException($"There is no tenant named '{name}'.");

    private Task AuditAsync(string? tenantId, string action, string target, CancellationToken ct) =>
        store.AppendAuditAsync(
            new AuditEntry
            {
                At = time.GetUtcNow(),
                TenantId = tenantId,
                Actor = Actor,
                Action = action,
                Target = target,
                Outcome = "success",
            },
            ct);
}
