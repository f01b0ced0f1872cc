namespace Bulwark.Storage.Postgres;

/// <summary>
/// The database is set up in a way that would weaken the tenant wall, or its schema is behind
/// this version. The message is one plain sentence for the operator naming the problem and the
/// fix; the server prints it and refuses to start.
/// </summary>
public sealed class PostgresSetupException(string message) : Exception(message);
