namespace Bulwark.Core.Templates;

public enum NetworkPolicy
{
    /// <summary>No network namespace access at all (BOX-3 default).</summary>
    None,
    /// <summary>Outbound only through the egress guard.</summary>
    Egress,
}
