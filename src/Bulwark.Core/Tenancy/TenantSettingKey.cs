using System.Text;

namespace Bulwark.Core.Tenancy;

/// <summary>
/// How a tenant is named inside a setting's name (<c>BULWARK_EGRESS_ALLOW_&lt;TENANT&gt;</c>,
/// <c>BULWARK_RETENTION_JOBS_DAYS_&lt;TENANT&gt;</c>): the tenant name in upper case with anything
/// but A–Z and 0–9 as <c>_</c> (tenant <c>acme-eu</c> → <c>ACME_EU</c>).
/// </summary>
public static class TenantSettingKey
{
    public static string Of(string tenantName)
    {
        ArgumentNullException.ThrowIfNull(tenantName);
        var key = new StringBuilder(tenantName.Length);
        foreach (var c in tenantName.ToUpperInvariant())
        {
            key.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return key.ToString();
    }
}
