namespace Bulwark.Storage.Postgres.Schema;

/// <summary>Every refusal of an unsafe or outdated setup, each one sentence naming the problem and the fix.</summary>
internal static class PostgresSetupErrors
{
    private const string OwnsNothingFix =
        "connect BULWARK_DATABASE as a login that owns nothing and set BULWARK_DATABASE_OWNER for migrations";

    public static PostgresSetupException Superuser(string login) =>
        new($"The application login '{login}' is a superuser, which bypasses row-level security; {OwnsNothingFix}.");

    public static PostgresSetupException BypassRls(string login) =>
        new($"The application login '{login}' has BYPASSRLS, which turns the tenant wall off; "
            + $"run ALTER ROLE {login} NOBYPASSRLS or {OwnsNothingFix}.");

    public static PostgresSetupException OwnsObjects(string login) =>
        new($"The application login '{login}' owns the tables in schema {PostgresSchema.SchemaName}, and row-level "
            + $"security does not bind their owner; {OwnsNothingFix}.");

    public static PostgresSetupException MemberOfOwner(string login, string owner) =>
        new($"The application login '{login}' is a member of '{owner}', which owns the tables in schema "
            + $"{PostgresSchema.SchemaName}; run REVOKE {owner} FROM {login} or {OwnsNothingFix}.");

    public static PostgresSetupException MemberOfSystem(string login) =>
        new($"The application login '{login}' is a member of {PostgresSchema.SystemRole} and could read every tenant; "
            + $"run REVOKE {PostgresSchema.SystemRole} FROM {login}.");

    public static PostgresSetupException UnsafeRole(string role) =>
        new($"The role {role} must not log in, be superuser or bypass row-level security; "
            + $"run ALTER ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS.");

    public static PostgresSetupException NotMigrated() =>
        new($"The database has no Bulwark schema yet; set BULWARK_DATABASE_OWNER to the login that owns the "
            + "database so that Bulwark can create it.");

    public static PostgresSetupException NotGranted(string login) =>
        new($"The application login '{login}' does not hold the privileges of {PostgresSchema.AppRole}; start once "
            + "with BULWARK_DATABASE_OWNER set so that the migration grants it.");

    public static PostgresSetupException SchemaBehind(int version, int latest) =>
        new($"The database schema is at version {version} but this Bulwark needs version {latest}; start once with "
            + "BULWARK_DATABASE_OWNER set so that it migrates.");

    public static PostgresSetupException SchemaNewer(int version, int latest) =>
        new($"The database schema is at version {version}, newer than this Bulwark knows ({latest}); upgrade "
            + "Bulwark before connecting it.");

    public static PostgresSetupException OwnerLacksPrivilege(string owner, string detail) =>
        new($"The owner login '{owner}' may not do what the migration needs ({detail}); it must own the database "
            + "and have CREATEROLE.");

    public static PostgresSetupException MayCreate(string login) =>
        new($"The application login '{login}' may create objects in schema {PostgresSchema.SchemaName}; "
            + $"run REVOKE CREATE ON SCHEMA {PostgresSchema.SchemaName} FROM {login}.");
}
