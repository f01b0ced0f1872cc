using Bulwark.Core.Audit;
using Bulwark.Core.Flags;
using Bulwark.Core.Storage;
using Bulwark.Server.Hosting;
using Bulwark.Server.Operations;
using Bulwark.Storage.Postgres;

namespace Bulwark.Cli.Doctor;

/// <summary>The store as the server would open it, and the flag values kept there (FLAG-2).</summary>
internal sealed record StoreCheck(DoctorCheck Check, IBulwarkStore? Store, IReadOnlyList<StoredFlag>? Flags) : IAsyncDisposable
{
    public static async Task<StoreCheck> OpenAsync(BulwarkOptions o, CancellationToken ct)
    {
        var which = PostgresConnectionStrings.IsPostgres(o.Database)
            ? "The PostgreSQL store" // the connection string holds a password: never shown
            : $"The SQLite store {Path.GetFullPath(o.DatabasePath)}";
        IBulwarkStore store;
        try
        {
            // As every operator command does: an operator may run doctor before the server ever ran.
            Directory.CreateDirectory(o.DataDir);
            store = await StoreFactory.OpenAsync(o, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // StoreFactory turns PostgreSQL's failures into sentences without the connection string.
            return new StoreCheck(DoctorCheck.Fail("store", $"{which} could not be opened: {e.Message}"), null, null);
        }

        if (store is not IFlagStore flagStore)
        {
            return new StoreCheck(DoctorCheck.Warn("store", $"{which} is reachable, but keeps no flag values."), store, null);
        }

        try
        {
            var flags = await flagStore.ReadFlagsAsync(ct);
            return new StoreCheck(DoctorCheck.Ok("store", $"{which} is reachable and current; {flags.Count} flag values set in it."), store, flags);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new StoreCheck(DoctorCheck.Fail("store", $"{which} opened, but its flags could not be read: {e.Message}"), store, null);
        }
    }

    /// <summary>
    /// AUD-1: doctor is an operator command and opened the store anyway, so the run is on the
    /// system chain with its verdict; it changes nothing else.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<string> failed, CancellationToken ct)
    {
        if (Store is null)
        {
            return;
        }

        await Store.AppendAuditAsync(new AuditEntry
        {
            At = TimeProvider.System.GetUtcNow(),
            Actor = "operator",
            Action = "doctor.run",
            Target = failed.Count == 0 ? "safe" : "unsafe",
            Outcome = "success",
            DetailJson = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["failed"] = failed }),
        }, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }
    }
}
