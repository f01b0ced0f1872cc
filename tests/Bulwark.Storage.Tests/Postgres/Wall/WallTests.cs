namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// Each wall test runs on a database of its own (<see cref="WallDatabase"/>): several of them
/// try to break in or take the wall down, and a refusal is checked by what is still there.
/// </summary>
public abstract class WallTests : IAsyncLifetime
{
    protected WallDatabase Wall { get; private set; } = null!;

    protected TwoTenants Tenants => Wall.Tenants;

    protected SeededTenant A => Tenants.A;

    protected SeededTenant B => Tenants.B;

    public async Task InitializeAsync() => Wall = await WallDatabase.CreateAsync();

    public async Task DisposeAsync() => await Wall.DisposeAsync();
}
