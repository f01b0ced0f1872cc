namespace Bulwark.Core.Tenancy;

public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt, bool Suspended = false);
