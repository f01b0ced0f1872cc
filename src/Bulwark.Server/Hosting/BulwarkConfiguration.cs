namespace Bulwark.Server.Hosting;

/// <summary>Loads <see cref="BulwarkOptions"/> from <c>bulwark.json</c> and <c>BULWARK_*</c> variables.</summary>
public static class BulwarkConfiguration
{
    /// <summary>Environment beats file; throws <see cref="Core.Errors.InvalidPayloadException"/> naming a bad setting.</summary>
    public static BulwarkOptions Load(IReadOnlyDictionary<string, string?>? environment = null) =>
        throw new NotImplementedException();
}
