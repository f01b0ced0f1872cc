namespace Bulwark.Server.Tests.Cli;

/// <summary>Template files for the CLI tests: API.md's demo and two that must be refused.</summary>
internal static class DemoTemplates
{
    /// <summary>The README's demo template (API.md "Templates"), global because it names no tenant.</summary>
    public const string Echo = """
        key: demo.echo
        kind: script
        command: ["/bin/sh", "-c", "echo hello $NAME"]
        inputs_schema: { type: object, properties: { name: { type: string, maxLength: 64 } } }
        env_from_inputs: { NAME: name }
        required_scope: demo:run
        limits: { memory_mb: 256, cpu_seconds: 10, timeout_seconds: 30, max_processes: 64, tmp_mb: 64, output_kb: 1024 }
        network: none
        retry: { max_attempts: 3, backoff_seconds: 2, max_backoff_seconds: 300 }
        """;

    public const string OwnedByAcme = """
        {"key": "acme.report", "tenant": "acme", "kind": "script", "command": ["/bin/true"]}
        """;

    /// <summary>Refused by the key pattern <c>^[a-zA-Z0-9_.:-]{1,100}$</c> (NET-2).</summary>
    public const string BadKey = """
        key: "not a valid key!"
        kind: script
        command: ["/bin/true"]
        """;

    public const string UnknownTenant = """
        key: ghost.job
        tenant: ghost
        kind: script
        command: ["/bin/true"]
        """;
}
