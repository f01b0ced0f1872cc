namespace Bulwark.Server.Tests.Support;

/// <summary>Template files the end-to-end tests apply, in the file form of API.md.</summary>
public static class TemplateFiles
{
    public const string Echo = """
        key: demo.echo
        kind: script
        command: ["/bin/sh", "-c", "echo hello $NAME"]
        inputs_schema: { type: object, properties: { name: { type: string, maxLength: 64 } }, additionalProperties: false }
        env_from_inputs: { NAME: name }
        limits: { timeout_seconds: 20 }
        """;

    public static string Script(string key, string script, int maxAttempts = 1, int timeoutSeconds = 20, string? tenant = null, string? scope = null, string? limits = null) => $"""
        key: {key}
        kind: script
        {(tenant is null ? "" : "tenant: " + tenant)}
        {(scope is null ? "" : "required_scope: " + scope)}
        command: ["/bin/sh", "-c", {System.Text.Json.JsonSerializer.Serialize(script)}]
        {limits ?? "limits: { timeout_seconds: " + timeoutSeconds + " }"}
        retry: {"{"} max_attempts: {maxAttempts}, backoff_seconds: 0, max_backoff_seconds: 0 {"}"}
        """;
}
