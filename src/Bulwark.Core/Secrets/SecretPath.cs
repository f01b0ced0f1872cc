namespace Bulwark.Core.Secrets;

/// <summary>
/// The hierarchical name of one secret, <c>/{env}/{tenant}/{name}</c> (SEC-2, seed 002): the
/// installation's environment (<c>BULWARK_ENV</c>), the tenant's name and the name a template
/// declares in <c>secrets</c>. Printing it is safe; it never carries the value.
/// </summary>
public sealed record SecretPath(string Env, string Tenant, string Name)
{
    /// <summary>The variable a job reads the value from: the name upper-cased, <c>demo_key</c> → <c>DEMO_KEY</c>.</summary>
    public string VariableName => Name.ToUpperInvariant();

    public override string ToString() => $"/{Env}/{Tenant}/{Name}";
}
