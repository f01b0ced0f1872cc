using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;

namespace Bulwark.Server.Operations;

/// <summary>Opens the store the options name and migrates it. Operator commands and the server share it.</summary>
public static class StoreFactory
{
    public static Task<IBulwarkStore> OpenAsync(BulwarkOptions options, CancellationToken ct) =>
        throw new NotImplementedException();
}
