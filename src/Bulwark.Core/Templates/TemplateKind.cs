namespace Bulwark.Core.Templates;

public enum TemplateKind
{
    /// <summary>Untrusted code run in the sandbox (BOX-1).</summary>
    Script,
    /// <summary>One outbound request through the egress guard (NET-1).</summary>
    Http,
}
