using System.Text.Json;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Templates;

namespace Bulwark.Core.Tests.Templates;

// JOB-1 (templates), NET-2 (payload validation), API.md "Templates (file form, JSON or YAML)".
public sealed class TemplateFileTests
{
    internal const string ScriptYaml = """
        key: demo.echo            # ^[a-zA-Z0-9_.:-]{1,100}$
        tenant: default           # omitted: available to every tenant
        kind: script              # script | http
        command: ["/bin/sh", "-c", "echo hello $NAME"]
        inputs_schema: { type: object, properties: { name: { type: string, maxLength: 64 } } }
        env_from_inputs: { NAME: name }
        required_scope: demo:run
        action: false             # true: needs a policy token
        secrets: [demo_key]       # exposed as env DEMO_KEY, from /{env}/{tenant}/demo_key
        limits: { memory_mb: 256, cpu_seconds: 10, timeout_seconds: 30, max_processes: 64, tmp_mb: 64, output_kb: 1024 }
        network: none             # none | egress (through the egress guard only)
        retry: { max_attempts: 3, backoff_seconds: 2, max_backoff_seconds: 300 }
        """;

    internal const string ScriptJson = """
        {
          "key": "demo.echo",
          "tenant": "default",
          "kind": "script",
          "command": ["/bin/sh", "-c", "echo hello $NAME"],
          "inputs_schema": { "type": "object", "properties": { "name": { "type": "string", "maxLength": 64 } } },
          "env_from_inputs": { "NAME": "name" },
          "required_scope": "demo:run",
          "action": false,
          "secrets": ["demo_key"],
          "limits": { "memory_mb": 256, "cpu_seconds": 10, "timeout_seconds": 30, "max_processes": 64, "tmp_mb": 64, "output_kb": 1024 },
          "network": "none",
          "retry": { "max_attempts": 3, "backoff_seconds": 2, "max_backoff_seconds": 300 }
        }
        """;

    internal const string HttpYaml = """
        key: hooks.notify
        kind: http
        request: { method: POST, url: "https://hooks.example.com/notify", headers: { X-Source: bulwark } }
        url_from_input: url       # optional: take the URL from this input (still checked by the guard)
        body_from_input: payload  # optional: send this input as the JSON body
        secrets: [hook_token]     # usable in headers as {{secrets.hook_token}}
        """;

    internal const string HttpJson = """
        {
          "key": "hooks.notify",
          "kind": "http",
          "request": { "method": "POST", "url": "https://hooks.example.com/notify", "headers": { "X-Source": "bulwark" } },
          "url_from_input": "url",
          "body_from_input": "payload",
          "secrets": ["hook_token"]
        }
        """;

    /// <summary>A minimal valid script template with one extra YAML line.</summary>
    private static string Script(string extra) => $"key: t.k\nkind: script\ncommand: [run]\n{extra}\n";

    /// <summary>A minimal valid http template with one extra YAML line.</summary>
    private static string Http(string extra) => $"key: t.h\nkind: http\nrequest: {{ url: \"https://example.com/x\" }}\n{extra}\n";

    private static string Refused(string text) => Assert.Throws<InvalidPayloadException>(() => TemplateFile.Parse(text)).Message;

    [Theory] // NET-2: a string that cannot become text is refused at the gate, not thrown by a later read
    [InlineData("{\"key\": \"t.k\", \"kind\": \"script\", \"command\": [\"run\"], \"required_scope\": \"a\\ud800\"}")]
    [InlineData("{\"key\": \"t.k\", \"kind\": \"script\", \"command\": [\"\\udc00x\"]}")]
    public void Parse_refuses_a_lone_surrogate_escape_as_invalid_payload(string text)
    {
        var message = Refused(text);

        Assert.Contains("not valid Unicode", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_reads_every_field_when_given_the_api_script_example_in_yaml()
    {
        var d = TemplateFile.Parse(ScriptYaml);

        Assert.Equal("demo.echo", d.Key);
        Assert.Equal("default", d.Tenant);
        Assert.Equal(TemplateKind.Script, d.Kind);
        Assert.Equal(["/bin/sh", "-c", "echo hello $NAME"], d.Command);
        Assert.Equal(64, d.InputsSchema!.Value.GetProperty("properties").GetProperty("name").GetProperty("maxLength").GetInt32());
        Assert.Equal("name", d.EnvFromInputs["NAME"]);
        Assert.Equal("demo:run", d.RequiredScope);
        Assert.False(d.Action);
        Assert.Equal(["demo_key"], d.Secrets);
        Assert.Equal(new ResourceLimits { MemoryMb = 256, CpuSeconds = 10, TimeoutSeconds = 30, MaxProcesses = 64, TmpMb = 64, OutputKb = 1024 }, d.Limits);
        Assert.Equal(NetworkPolicy.None, d.Network);
        Assert.Equal(new RetryPolicy(3, 2, 300), d.Retry);
        Assert.Null(d.Request);
    }

    [Fact]
    public void Parse_gives_the_same_definition_when_the_script_example_is_json_or_yaml()
    {
        Assert.Equal(TemplateFile.ToJson(TemplateFile.Parse(ScriptYaml)), TemplateFile.ToJson(TemplateFile.Parse(ScriptJson)));
    }

    [Fact]
    public void Parse_reads_the_request_when_given_the_api_http_example_in_yaml()
    {
        var d = TemplateFile.Parse(HttpYaml);

        Assert.Equal("hooks.notify", d.Key);
        Assert.Null(d.Tenant);
        Assert.Equal(TemplateKind.Http, d.Kind);
        Assert.Empty(d.Command);
        Assert.Equal("POST", d.Request!.Method);
        Assert.Equal("https://hooks.example.com/notify", d.Request.Url);
        Assert.Equal("bulwark", d.Request.Headers["X-Source"]);
        Assert.Equal("url", d.UrlFromInput);
        Assert.Equal("payload", d.BodyFromInput);
        Assert.Equal(["hook_token"], d.Secrets);
        Assert.Equal(ResourceLimits.Default, d.Limits);
        Assert.Equal(RetryPolicy.Default, d.Retry);
    }

    [Fact]
    public void Parse_gives_the_same_definition_when_the_http_example_is_json_or_yaml()
    {
        Assert.Equal(TemplateFile.ToJson(TemplateFile.Parse(HttpYaml)), TemplateFile.ToJson(TemplateFile.Parse(HttpJson)));
    }

    [Theory]
    [InlineData(ScriptYaml)]
    [InlineData(ScriptJson)]
    [InlineData(HttpYaml)]
    [InlineData(HttpJson)]
    public void ToJson_is_stable_when_its_output_is_parsed_again(string text)
    {
        var first = TemplateFile.ToJson(TemplateFile.Parse(text));
        var second = TemplateFile.ToJson(TemplateFile.Parse(first));

        Assert.Equal(first, second);
    }

    [Fact]
    public void ToJson_writes_every_field_with_defaults_when_the_template_is_minimal()
    {
        var json = TemplateFile.ToJson(TemplateFile.Parse(Script("")));

        Assert.Equal(
            """{"key":"t.k","tenant":null,"kind":"script","command":["run"],"inputs_schema":null,"env_from_inputs":{},"required_scope":null,"action":false,"secrets":[],"limits":{"memory_mb":256,"cpu_seconds":10,"timeout_seconds":30,"max_processes":64,"tmp_mb":64,"output_kb":1024},"network":"none","retry":{"max_attempts":3,"backoff_seconds":2,"max_backoff_seconds":300},"request":null,"url_from_input":null,"body_from_input":null}""",
            json);
    }

    [Fact]
    public void ToJson_writes_maps_in_key_order_when_the_source_order_differs()
    {
        var a = TemplateFile.ToJson(TemplateFile.Parse(Script("env_from_inputs: { B: b, A: a }")));
        var b = TemplateFile.ToJson(TemplateFile.Parse(Script("env_from_inputs: { A: a, B: b }")));

        Assert.Equal(a, b);
        Assert.Contains("\"env_from_inputs\":{\"A\":\"a\",\"B\":\"b\"}", a, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_takes_default_limits_when_only_some_limits_are_given()
    {
        var d = TemplateFile.Parse(Script("limits: { memory_mb: 512 }"));

        Assert.Equal(ResourceLimits.Default with { MemoryMb = 512 }, d.Limits);
    }

    [Fact]
    public void Parse_takes_default_retry_fields_when_only_some_are_given()
    {
        var d = TemplateFile.Parse(Script("retry: { max_attempts: 5 }"));

        Assert.Equal(RetryPolicy.Default with { MaxAttempts = 5 }, d.Retry);
    }

    [Fact]
    public void Parse_keeps_quoted_yaml_scalars_as_strings_when_they_look_like_numbers()
    {
        var d = TemplateFile.Parse("key: k\nkind: script\ncommand: [\"123\", '4.5', \"true\"]");

        Assert.Equal(["123", "4.5", "true"], d.Command);
    }

    [Fact]
    public void Parse_types_plain_yaml_scalars_when_they_are_numbers_or_booleans()
    {
        var d = TemplateFile.Parse(Script("action: true\nretry: { backoff_seconds: 1.5, max_backoff_seconds: 10 }\ntenant: ~"));

        Assert.True(d.Action);
        Assert.Equal(1.5, d.Retry.BackoffSeconds);
        Assert.Null(d.Tenant);
    }

    [Fact]
    public void Parse_refuses_a_plain_number_when_a_string_is_expected()
    {
        Assert.Equal("command[0] must be a non-empty string.", Refused("key: k\nkind: script\ncommand: [123]"));
    }

    [Fact]
    public void Parse_refuses_yaml_yes_when_a_boolean_is_expected()
    {
        // YAML 1.2 core schema: "yes" is text, never silently true.
        Assert.Equal("action must be true or false.", Refused(Script("action: yes")));
    }

    // ---- refusals: structure ---------------------------------------------------------------

    [Fact]
    public void Parse_refuses_an_unknown_key_when_it_is_a_typo()
    {
        var message = Refused("key: k\nkind: script\ncomand: [run]");

        Assert.StartsWith("comand is not a known field", message, StringComparison.Ordinal);
        Assert.Contains("command", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limits: { memry_mb: 5 }", "limits.memry_mb")]
    [InlineData("retry: { attempts: 5 }", "retry.attempts")]
    public void Parse_refuses_an_unknown_nested_key_when_it_is_not_part_of_the_contract(string extra, string field)
    {
        Assert.StartsWith(field + " is not a known field", Refused(Script(extra)), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_an_unknown_request_key_when_it_is_not_part_of_the_contract()
    {
        Assert.StartsWith("request.body is not a known field", Refused("key: k\nkind: http\nrequest: { url: \"https://a.example/\", body: x }"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_duplicate_keys_when_the_template_is_json()
    {
        var message = Refused("""{"key":"a","kind":"script","command":["x"],"key":"b"}""");

        Assert.Contains("'key'", message, StringComparison.Ordinal);
        Assert.Contains("more than once", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_duplicate_keys_when_they_are_nested_in_json()
    {
        var message = Refused("""{"key":"a","kind":"script","command":["x"],"limits":{"tmp_mb":1,"tmp_mb":2}}""");

        Assert.Contains("'tmp_mb'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_duplicate_keys_when_the_template_is_yaml()
    {
        var message = Refused("key: a\nkind: script\ncommand: [x]\nkey: b");

        Assert.Contains("Duplicate key key", message, StringComparison.Ordinal);
        Assert.Contains("line 4", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_a_template_when_it_is_not_a_mapping()
    {
        Assert.Equal("The template must be a JSON object or a YAML mapping.", Refused("[1, 2]"));
    }

    [Fact]
    public void Parse_refuses_broken_json_when_the_text_starts_like_json()
    {
        Assert.Contains("not valid JSON", Refused("""{"key": "a", """), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_broken_yaml_with_its_line_when_the_yaml_is_malformed()
    {
        var message = Refused("key: a\nkind: [script\n");

        Assert.Contains("not valid YAML", message, StringComparison.Ordinal);
        Assert.Contains("line", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_deep_nesting_when_it_exceeds_the_limit()
    {
        var deep = new string('[', 40) + new string(']', 40);

        Assert.Contains("nested deeper than 32", Refused(Script("inputs_schema: { default: " + deep + " }")), StringComparison.Ordinal);
        Assert.Contains("nested deeper than 32", Refused("{\"key\":" + deep + "}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_alias_expansion_when_it_would_explode()
    {
        // "Billion laughs": each level doubles the tree; the node budget stops it early.
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 12; i++)
        {
            lines.Add($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]");
        }

        Assert.Contains("more than", Refused(string.Join('\n', lines)), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_text_when_it_is_over_the_size_limit()
    {
        Assert.Contains("longer than", Refused(Script("# " + new string('x', TemplateFile.MaxLength))), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_several_yaml_documents_when_given_in_one_text()
    {
        Assert.Contains("exactly one YAML document", Refused(Script("") + "---\n" + Script("")), StringComparison.Ordinal);
    }

    // ---- refusals: fields ------------------------------------------------------------------

    [Theory]
    [InlineData("kind: script\ncommand: [x]", "key is required.")]
    [InlineData("key: \"bad key\"\nkind: script\ncommand: [x]", "key must match ^[a-zA-Z0-9_.:-]{1,100}$.")]
    [InlineData("key: k\nkind: script\ncommand: [x]\ntenant: \"a/b\"", "tenant must match ^[a-zA-Z0-9_.:-]{1,100}$.")]
    [InlineData("key: k\ncommand: [x]", "kind is required.")]
    [InlineData("key: k\nkind: python\ncommand: [x]", "kind must be script or http.")]
    [InlineData("key: k\nkind: Script\ncommand: [x]", "kind must be script or http.")]
    [InlineData("key: k\nkind: script", "command is required for script templates.")]
    [InlineData("key: k\nkind: script\ncommand: []", "command must not be empty.")]
    [InlineData("key: k\nkind: script\ncommand: \"/bin/sh -c x\"", "command must be a list of strings.")]
    [InlineData("key: k\nkind: script\ncommand: [run, \"\"]", "command[1] must be a non-empty string.")]
    public void Parse_refuses_key_kind_and_command_when_they_break_a_rule(string text, string expected)
    {
        Assert.Equal(expected, Refused(text));
    }

    [Fact]
    public void Parse_refuses_a_key_over_100_characters_when_otherwise_valid()
    {
        Assert.StartsWith("key must match", Refused($"key: {new string('k', 101)}\nkind: script\ncommand: [x]"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("request: { url: \"https://a.example/\" }", "request is not allowed for script templates.")]
    [InlineData("url_from_input: url", "url_from_input is not allowed for script templates.")]
    [InlineData("body_from_input: payload", "body_from_input is not allowed for script templates.")]
    public void Parse_refuses_http_fields_when_the_template_is_a_script(string extra, string expected)
    {
        Assert.Equal(expected, Refused(Script(extra)));
    }

    [Theory]
    [InlineData("key: k\nkind: http", "request.url is required for http templates.")]
    [InlineData("key: k\nkind: http\nrequest: { method: GET }", "request.url is required for http templates.")]
    [InlineData("key: k\nkind: http\nrequest: { url: \"https://a.example/\" }\ncommand: [x]", "command is not allowed for http templates.")]
    [InlineData("key: k\nkind: http\nrequest: { url: \"/relative\" }", "request.url must be an absolute http or https URL without user info.")]
    [InlineData("key: k\nkind: http\nrequest: { url: \"ftp://a.example/\" }", "request.url must be an absolute http or https URL without user info.")]
    [InlineData("key: k\nkind: http\nrequest: { url: \"file:///etc/passwd\" }", "request.url must be an absolute http or https URL without user info.")]
    [InlineData("key: k\nkind: http\nrequest: { url: \"https://user:pw@a.example/\" }", "request.url must be an absolute http or https URL without user info.")]
    [InlineData("key: k\nkind: http\nrequest: { url: \"https://a.example/\", method: TRACE }", "request.method must be one of GET, POST, PUT, PATCH, DELETE or HEAD.")]
    [InlineData("key: k\nkind: http\nrequest: \"https://a.example/\"", "request must be an object with method, url and headers.")]
    public void Parse_refuses_http_templates_when_the_request_breaks_a_rule(string text, string expected)
    {
        Assert.Equal(expected, Refused(text));
    }

    [Theory]
    [InlineData("url_from_input: \"a b\"", "url_from_input must name an input property matching ^[a-zA-Z0-9_.:-]{1,100}$.")]
    [InlineData("body_from_input: \"x/y\"", "body_from_input must name an input property matching ^[a-zA-Z0-9_.:-]{1,100}$.")]
    public void Parse_refuses_input_names_when_they_are_not_identifiers(string extra, string expected)
    {
        Assert.Equal(expected, Refused(Http(extra)));
    }

    [Theory]
    [InlineData("request: { url: \"https://a.example/\", headers: { Host: internal } }", "request.headers.Host is set by the platform and cannot be set by a template.")]
    [InlineData("request: { url: \"https://a.example/\", headers: { \"X A\": b } }", "request.headers.X A is not a valid header name.")]
    [InlineData("request: { url: \"https://a.example/\", headers: { X-A: \"a\\r\\nX-B: b\" } }", "request.headers.X-A must not contain control characters.")]
    [InlineData("request: { url: \"https://a.example/\", headers: { X-A: 1 } }", "request.headers.X-A must be a string.")]
    [InlineData("request: { url: \"https://a.example/\", headers: { X-A: a, x-a: b } }", "request.headers.x-a appears more than once (header names ignore case).")]
    public void Parse_refuses_request_headers_when_they_could_smuggle_or_redirect(string request, string expected)
    {
        Assert.Equal(expected, Refused("key: k\nkind: http\n" + request));
    }

    [Fact]
    public void Parse_upper_cases_the_method_when_written_in_lower_case()
    {
        Assert.Equal("PATCH", TemplateFile.Parse("key: k\nkind: http\nrequest: { url: \"http://a.example/\", method: patch }").Request!.Method);
    }

    [Theory]
    [InlineData("memory_mb", 15, "limits.memory_mb must be between 16 and 65536.")]
    [InlineData("memory_mb", 65537, "limits.memory_mb must be between 16 and 65536.")]
    [InlineData("cpu_seconds", 0, "limits.cpu_seconds must be between 1 and 86400.")]
    [InlineData("cpu_seconds", 86401, "limits.cpu_seconds must be between 1 and 86400.")]
    [InlineData("timeout_seconds", 0, "limits.timeout_seconds must be between 1 and 86400.")]
    [InlineData("timeout_seconds", 86401, "limits.timeout_seconds must be between 1 and 86400.")]
    [InlineData("max_processes", 0, "limits.max_processes must be between 1 and 4096.")]
    [InlineData("max_processes", 4097, "limits.max_processes must be between 1 and 4096.")]
    [InlineData("tmp_mb", 0, "limits.tmp_mb must be between 1 and 65536.")]
    [InlineData("tmp_mb", 65537, "limits.tmp_mb must be between 1 and 65536.")]
    [InlineData("output_kb", 0, "limits.output_kb must be between 1 and 65536.")]
    [InlineData("output_kb", 65537, "limits.output_kb must be between 1 and 65536.")]
    public void Parse_refuses_limits_when_out_of_range(string field, long value, string expected)
    {
        Assert.Equal(expected, Refused(Script($"limits: {{ {field}: {value} }}")));
    }

    [Theory]
    [InlineData("memory_mb", 16)]
    [InlineData("memory_mb", 65536)]
    [InlineData("cpu_seconds", 86400)]
    [InlineData("max_processes", 4096)]
    [InlineData("tmp_mb", 1)]
    [InlineData("output_kb", 65536)]
    public void Parse_accepts_limits_when_at_the_edge_of_the_range(string field, int value)
    {
        var json = TemplateFile.ToJson(TemplateFile.Parse(Script($"limits: {{ {field}: {value} }}")));

        Assert.Contains($"\"{field}\":{value}", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limits: { memory_mb: 256.5 }", "limits.memory_mb must be a whole number between 16 and 65536.")]
    [InlineData("limits: { memory_mb: \"256\" }", "limits.memory_mb must be a whole number between 16 and 65536.")]
    [InlineData("limits: { memory_mb: 99999999999999999999999999999999999 }", "limits.memory_mb must be between 16 and 65536.")]
    [InlineData("limits: 5", "limits must be an object.")]
    public void Parse_refuses_limits_when_not_whole_numbers(string extra, string expected)
    {
        Assert.Equal(expected, Refused(Script(extra)));
    }

    [Theory]
    [InlineData("network: internet", "network must be none or egress.")]
    [InlineData("network: NONE", "network must be none or egress.")]
    [InlineData("required_scope: \"not a scope\"", "required_scope must be a scope such as ops:read or ops:*.")]
    [InlineData("required_scope: ops", "required_scope must be a scope such as ops:read or ops:*.")]
    [InlineData("action: 1", "action must be true or false.")]
    [InlineData("tenant: 5", "tenant must be a string.")]
    public void Parse_refuses_network_scope_and_action_when_they_break_a_rule(string extra, string expected)
    {
        Assert.Equal(expected, Refused(Script(extra)));
    }

    [Fact]
    public void Parse_reads_egress_when_the_template_asks_for_it()
    {
        Assert.Equal(NetworkPolicy.Egress, TemplateFile.Parse(Script("network: egress")).Network);
    }

    [Theory]
    [InlineData("retry: { max_attempts: 0 }", "retry.max_attempts must be between 1 and 100.")]
    [InlineData("retry: { max_attempts: 101 }", "retry.max_attempts must be between 1 and 100.")]
    [InlineData("retry: { backoff_seconds: -1 }", "retry.backoff_seconds must be >= 0 and <= retry.max_backoff_seconds.")]
    [InlineData("retry: { backoff_seconds: 500 }", "retry.backoff_seconds must be >= 0 and <= retry.max_backoff_seconds.")]
    [InlineData("retry: { backoff_seconds: fast }", "retry.backoff_seconds must be a number of seconds.")]
    [InlineData("retry: { max_backoff_seconds: 1e300 }", "retry.max_backoff_seconds must be at most 86400.")]
    [InlineData("retry: [3]", "retry must be an object.")]
    public void Parse_refuses_retry_when_it_breaks_a_rule(string extra, string expected)
    {
        // JOB-4: the retry policy is checked by RetryPolicy.Validate plus an upper bound.
        Assert.Equal(expected, Refused(Script(extra)));
    }

    [Theory]
    [InlineData("env_from_inputs: { PATH: p }", "env_from_inputs.PATH is reserved by the platform.")]
    [InlineData("env_from_inputs: { HOME: p }", "env_from_inputs.HOME is reserved by the platform.")]
    [InlineData("env_from_inputs: { BULWARK_TASK_TOKEN: p }", "env_from_inputs.BULWARK_TASK_TOKEN is reserved by the platform.")]
    [InlineData("env_from_inputs: { LD_PRELOAD: p }", "env_from_inputs.LD_PRELOAD is reserved by the platform.")]
    [InlineData("env_from_inputs: { BASH_ENV: p }", "env_from_inputs.BASH_ENV is reserved by the platform.")]
    [InlineData("env_from_inputs: { name: p }", "env_from_inputs.name must be an environment variable name matching ^[A-Z_][A-Z0-9_]{0,63}$.")]
    [InlineData("env_from_inputs: { 1X: p }", "env_from_inputs.1X must be an environment variable name matching ^[A-Z_][A-Z0-9_]{0,63}$.")]
    [InlineData("env_from_inputs: { NAME: \"a b\" }", "env_from_inputs.NAME must name an input property matching ^[a-zA-Z0-9_.:-]{1,100}$.")]
    [InlineData("env_from_inputs: { NAME: 5 }", "env_from_inputs.NAME must name an input property matching ^[a-zA-Z0-9_.:-]{1,100}$.")]
    [InlineData("env_from_inputs: [NAME]", "env_from_inputs must be an object of environment names to input names.")]
    [InlineData("secrets: [demo_key]\nenv_from_inputs: { DEMO_KEY: name }", "env_from_inputs.DEMO_KEY is the environment variable of a secret.")]
    public void Parse_refuses_env_from_inputs_when_it_breaks_a_rule(string extra, string expected)
    {
        Assert.Equal(expected, Refused(Script(extra)));
    }

    [Fact]
    public void Parse_refuses_an_env_name_over_64_characters_when_otherwise_valid()
    {
        var name = "A" + new string('B', 64);

        var message = Refused(Script($"env_from_inputs: {{ {name}: x }}"));

        Assert.StartsWith("env_from_inputs.ABBB", message, StringComparison.Ordinal);
        Assert.EndsWith("must be an environment variable name matching ^[A-Z_][A-Z0-9_]{0,63}$.", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secrets: [Demo]", "secrets[0] must match ^[a-z0-9_]{1,64}$.")]
    [InlineData("secrets: [ok, \"a-b\"]", "secrets[1] must match ^[a-z0-9_]{1,64}$.")]
    [InlineData("secrets: [\"\"]", "secrets[0] must match ^[a-z0-9_]{1,64}$.")]
    [InlineData("secrets: [5]", "secrets[0] must match ^[a-z0-9_]{1,64}$.")]
    [InlineData("secrets: [a, b, a]", "secrets lists a more than once.")]
    [InlineData("secrets: a", "secrets must be a list of secret names.")]
    public void Parse_refuses_secrets_when_they_break_a_rule(string extra, string expected)
    {
        // SEC-2: the names become paths /{env}/{tenant}/{name}; nothing may traverse.
        Assert.Equal(expected, Refused(Script(extra)));
    }

    [Theory]
    [InlineData("inputs_schema: [1]", "inputs_schema must be a JSON object.")]
    [InlineData("inputs_schema: object", "inputs_schema must be a JSON object.")]
    [InlineData("inputs_schema: { properties: 5 }", "inputs_schema is not a valid JSON Schema.")]
    [InlineData("inputs_schema: { minLength: x }", "inputs_schema is not a valid JSON Schema.")]
    [InlineData("inputs_schema: { $ref: \"#\" }", "inputs_schema has a $ref that points nowhere inside the schema.")]
    [InlineData("inputs_schema: { $ref: \"#/definitions/missing\" }", "inputs_schema has a $ref that points nowhere inside the schema.")]
    public void Parse_refuses_inputs_schema_when_it_is_not_a_schema(string extra, string expected)
    {
        Assert.Equal(expected, Refused(Script(extra)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/schema.json")]
    [InlineData("/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    public void Parse_refuses_inputs_schema_when_a_ref_points_outside_it(string target)
    {
        // NET-1: a template author must not make the server fetch URLs or read files.
        var message = Refused(Script($"inputs_schema: {{ properties: {{ a: {{ $ref: \"{target}\" }} }} }}"));

        Assert.StartsWith("inputs_schema", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_accepts_inputs_schema_when_a_ref_points_inside_it()
    {
        var d = TemplateFile.Parse(Script("inputs_schema: { definitions: { n: { type: string } }, properties: { a: { $ref: \"#/definitions/n\" } } }"));

        Assert.NotNull(d.InputsSchema);
    }

    [Fact]
    public void Parse_treats_null_as_absent_when_an_optional_field_is_null()
    {
        var d = TemplateFile.Parse("""{"key":"k","kind":"script","command":["x"],"tenant":null,"limits":null,"request":null}""");

        Assert.Null(d.Tenant);
        Assert.Equal(ResourceLimits.Default, d.Limits);
        Assert.Null(d.Request);
    }

    [Fact]
    public void ToJson_round_trips_when_the_schema_holds_unicode_and_escapes()
    {
        var d = TemplateFile.Parse(Script("inputs_schema: { description: \"h\\u00e9 \\\"q\\\" <b>\", type: object }"));
        var first = TemplateFile.ToJson(d);

        Assert.Equal(first, TemplateFile.ToJson(TemplateFile.Parse(first)));
        using var doc = JsonDocument.Parse(first);
        Assert.Equal("hé \"q\" <b>", doc.RootElement.GetProperty("inputs_schema").GetProperty("description").GetString());
    }
}
