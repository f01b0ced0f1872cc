namespace Bulwark.Client;

/// <summary>Who the server takes the caller for (<c>GET /v1/whoami</c>).</summary>
public sealed record CallerIdentity(
    string Tenant,
    string Subject,
    string AuthMethod,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Scopes);
