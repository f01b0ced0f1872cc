using Bulwark.Core.Templates;
using Bulwark.Core.Tenancy;

namespace Bulwark.Storage.Common;

/// <summary>A template version about to be stored: its new id, its definition as JSON, and when it was made (JOB-1).</summary>
public readonly record struct NewTemplate(string Id, string Json, long CreatedAt)
{
    /// <summary>Checks the definition's key and serializes it (outside any transaction: that is for the database, not for JSON).</summary>
    public static NewTemplate Of(TemplateDefinition definition, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Identifiers.Require(definition.Key, "template key");
        return new NewTemplate(
            "tpl_" + Guid.CreateVersion7(now).ToString("N"), TemplateFile.ToJson(definition), UnixMs.From(now));
    }

    /// <summary>The stored version, as the store hands it back (the definition as given, not parsed again).</summary>
    public JobTemplate ToTemplate(string? ownerTenantId, int version, TemplateDefinition definition) =>
        new(Id, ownerTenantId, version, UnixMs.To(CreatedAt), definition);
}
