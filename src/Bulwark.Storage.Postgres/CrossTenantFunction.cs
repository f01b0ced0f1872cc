namespace Bulwark.Storage.Postgres;

/// <summary>One SECURITY DEFINER function of the schema: a way across the tenant wall, with its reason.</summary>
public sealed record CrossTenantFunction(string Name, string Why);
