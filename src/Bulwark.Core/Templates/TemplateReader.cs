using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;

namespace Bulwark.Core.Templates;

/// <summary>
/// Reads and validates a template from its JSON tree (YAML arrives here already turned into
/// JSON). Every problem is one sentence that starts with the field it is about. Unknown fields
/// are refused: a misspelt <c>comand</c> or <c>netwrok</c> silently falling back to a default
/// is how a template ends up with less confinement than its author wrote.
/// </summary>
internal static partial class TemplateReader
{
    private const string IdentifierRule = "^[a-zA-Z0-9_.:-]{1,100}$";

    private static readonly string[] TopFields =
    [
        "key", "tenant", "kind", "command", "inputs_schema", "env_from_inputs", "required_scope", "action",
        "secrets", "limits", "network", "retry", "request", "url_from_input", "body_from_input",
    ];

    private static readonly string[] LimitFields =
        ["memory_mb", "cpu_seconds", "timeout_seconds", "max_processes", "tmp_mb", "output_kb"];

    private static readonly string[] RetryFields = ["max_attempts", "backoff_seconds", "max_backoff_seconds"];
    private static readonly string[] RequestFields = ["method", "url", "headers"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

    /// <summary>
    /// Variables the platform sets or that change how the program is loaded or started
    /// (library preloading, shell start-up files): an input must never be able to set them.
    /// </summary>
    private static readonly string[] ReservedEnv = ["PATH", "HOME", "IFS", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "PS4"];
    private static readonly string[] ReservedEnvPrefixes = ["BULWARK_", "LD_"];

    /// <summary>
    /// Headers the egress client must own: letting a template set them would allow request
    /// smuggling (framing headers) or reaching another virtual host than the checked URL names.
    /// </summary>
    private static readonly string[] PlatformHeaders =
    [
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive",
        "Proxy-Connection", "Proxy-Authorization", "Expect",
    ];

    public static TemplateDefinition Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The template must be a JSON object or a YAML mapping.");
        }

        var fields = Fields(root, "", TopFields);

        var key = RequiredString(fields, "key");
        if (!Identifiers.IsValid(key))
        {
            throw Invalid($"key must match {IdentifierRule}.");
        }

        var tenant = OptionalString(fields, "tenant");
        if (tenant is not null && !Identifiers.IsValid(tenant))
        {
            throw Invalid($"tenant must match {IdentifierRule}.");
        }

        var kind = RequiredString(fields, "kind") switch
        {
            "script" => TemplateKind.Script,
            "http" => TemplateKind.Http,
            _ => throw Invalid("kind must be script or http."),
        };

        var command = ReadCommand(fields, kind);
        var request = ReadRequest(fields, kind);
        var urlFromInput = InputName(fields, "url_from_input", kind);
        var bodyFromInput = InputName(fields, "body_from_input", kind);
        var secrets = ReadSecrets(fields);
        var env = ReadEnv(fields, secrets);

        var requiredScope = OptionalString(fields, "required_scope");
        if (requiredScope is not null && !Scopes.IsWellFormed(requiredScope))
        {
            throw Invalid("required_scope must be a scope such as ops:read or ops:*.");
        }

        var action = false;
        if (fields.TryGetValue("action", out var actionValue))
        {
            action = actionValue.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Invalid("action must be true or false."),
            };
        }

        var network = OptionalString(fields, "network") switch
        {
            null or "none" => NetworkPolicy.None,
            "egress" => NetworkPolicy.Egress,
            _ => throw Invalid("network must be none or egress."),
        };

        return new TemplateDefinition
        {
            Key = key,
            Tenant = tenant,
            Kind = kind,
            Command = command,
            InputsSchema = ReadSchema(fields),
            EnvFromInputs = env,
            RequiredScope = requiredScope,
            Action = action,
            Secrets = secrets,
            Limits = ReadLimits(fields),
            Network = network,
            Retry = ReadRetry(fields),
            Request = request,
            UrlFromInput = urlFromInput,
            BodyFromInput = bodyFromInput,
        };
    }

    private static string[] ReadCommand(Dictionary<string, JsonElement> fields, TemplateKind kind)
    {
        if (!fields.TryGetValue("command", out var value))
        {
            return kind == TemplateKind.Script ? throw Invalid("command is required for script templates.") : [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("command must be a list of strings.");
        }

        if (kind == TemplateKind.Http)
        {
            // The canonical form writes an empty list for http templates; anything in it would be ignored.
            return value.GetArrayLength() == 0 ? [] : throw Invalid("command is not allowed for http templates.");
        }

        var command = new List<string>();
        foreach (var part in value.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.String || part.GetString() is not { Length: > 0 } text)
            {
                throw Invalid($"command[{command.Count}] must be a non-empty string.");
            }

            command.Add(text);
        }

        return command.Count > 0 ? [.. command] : throw Invalid("command must not be empty.");
    }

    private static HttpRequestSpec? ReadRequest(Dictionary<string, JsonElement> fields, TemplateKind kind)
    {
        if (!fields.TryGetValue("request", out var value))
        {
            return kind == TemplateKind.Http ? throw Invalid("request.url is required for http templates.") : null;
        }

        if (kind == TemplateKind.Script)
        {
            throw Invalid("request is not allowed for script templates.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("request must be an object with method, url and headers.");
        }

        var request = Fields(value, "request.", RequestFields);
        var method = (OptionalString(request, "method", "request.method") ?? "GET").ToUpperInvariant();
        if (Array.IndexOf(Methods, method) < 0)
        {
            throw Invalid("request.method must be one of GET, POST, PUT, PATCH, DELETE or HEAD.");
        }

        var url = OptionalString(request, "url", "request.url") ?? throw Invalid("request.url is required for http templates.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0
            || string.IsNullOrEmpty(uri.Host))
        {
            // Credentials in a URL end up in logs and audit entries; they belong in a secret.
            throw Invalid("request.url must be an absolute http or https URL without user info.");
        }

        return new HttpRequestSpec { Method = method, Url = url, Headers = ReadHeaders(request) };
    }

    private static Dictionary<string, string> ReadHeaders(Dictionary<string, JsonElement> request)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!request.TryGetValue("headers", out var value))
        {
            return headers;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("request.headers must be an object of header names to values.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in value.EnumerateObject())
        {
            var path = "request.headers." + Shown(header.Name);
            if (!HeaderName().IsMatch(header.Name))
            {
                throw Invalid($"{path} is not a valid header name.");
            }

            if (!seen.Add(header.Name))
            {
                throw Invalid($"{path} appears more than once (header names ignore case).");
            }

            if (Array.Exists(PlatformHeaders, h => string.Equals(h, header.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw Invalid($"{path} is set by the platform and cannot be set by a template.");
            }

            if (header.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"{path} must be a string.");
            }

            var text = header.Value.GetString()!;
            // CR or LF in a value would let a template inject extra headers or a second request.
            if (HasControl(text))
            {
                throw Invalid($"{path} must not contain control characters.");
            }

            headers[header.Name] = text;
        }

        return headers;
    }

    private static bool HasControl(string text)
    {
        foreach (var c in text)
        {
            if ((c < ' ' && c != '\t') || c == '\u007f')
            {
                return true;
            }
        }

        return false;
    }

    private static string? InputName(Dictionary<string, JsonElement> fields, string name, TemplateKind kind)
    {
        var value = OptionalString(fields, name);
        if (value is null)
        {
            return null;
        }

        if (kind == TemplateKind.Script)
        {
            throw Invalid($"{name} is not allowed for script templates.");
        }

        return Identifiers.IsValid(value)
            ? value
            : throw Invalid($"{name} must name an input property matching {IdentifierRule}.");
    }

    private static string[] ReadSecrets(Dictionary<string, JsonElement> fields)
    {
        if (!fields.TryGetValue("secrets", out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("secrets must be a list of secret names.");
        }

        var secrets = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !SecretName().IsMatch(item.GetString()!))
            {
                throw Invalid($"secrets[{secrets.Count}] must match ^[a-z0-9_]{{1,64}}$.");
            }

            var name = item.GetString()!;
            if (secrets.Contains(name, StringComparer.Ordinal))
            {
                throw Invalid($"secrets lists {name} more than once.");
            }

            secrets.Add(name);
        }

        return [.. secrets];
    }

    private static Dictionary<string, string> ReadEnv(Dictionary<string, JsonElement> fields, string[] secrets)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!fields.TryGetValue("env_from_inputs", out var value))
        {
            return env;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("env_from_inputs must be an object of environment names to input names.");
        }

        foreach (var entry in value.EnumerateObject())
        {
            var path = "env_from_inputs." + Shown(entry.Name);
            if (!EnvName().IsMatch(entry.Name))
            {
                throw Invalid($"{path} must be an environment variable name matching ^[A-Z_][A-Z0-9_]{{0,63}}$.");
            }

            if (Array.IndexOf(ReservedEnv, entry.Name) >= 0
                || Array.Exists(ReservedEnvPrefixes, p => entry.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                throw Invalid($"{path} is reserved by the platform.");
            }

            // A secret reaches the job as its upper-cased name; an input of the same name would
            // let a submitter replace the secret the template author meant to send.
            if (Array.Exists(secrets, s => string.Equals(s.ToUpperInvariant(), entry.Name, StringComparison.Ordinal)))
            {
                throw Invalid($"{path} is the environment variable of a secret.");
            }

            if (entry.Value.ValueKind != JsonValueKind.String || !Identifiers.IsValid(entry.Value.GetString()))
            {
                throw Invalid($"{path} must name an input property matching {IdentifierRule}.");
            }

            env[entry.Name] = entry.Value.GetString()!;
        }

        return env;
    }

    private static JsonElement? ReadSchema(Dictionary<string, JsonElement> fields)
    {
        if (!fields.TryGetValue("inputs_schema", out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("inputs_schema must be a JSON object.");
        }

        InputsSchemas.Get(InputsSchemas.TextOf(value));
        return value.Clone();
    }

    private static ResourceLimits ReadLimits(Dictionary<string, JsonElement> fields)
    {
        if (!fields.TryGetValue("limits", out var value))
        {
            return ResourceLimits.Default;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("limits must be an object.");
        }

        var limits = Fields(value, "limits.", LimitFields);
        var d = ResourceLimits.Default;
        return new ResourceLimits
        {
            MemoryMb = Whole(limits, "memory_mb", "limits.", 16, 65_536, d.MemoryMb),
            CpuSeconds = Whole(limits, "cpu_seconds", "limits.", 1, 86_400, d.CpuSeconds),
            TimeoutSeconds = Whole(limits, "timeout_seconds", "limits.", 1, 86_400, d.TimeoutSeconds),
            MaxProcesses = Whole(limits, "max_processes", "limits.", 1, 4_096, d.MaxProcesses),
            TmpMb = Whole(limits, "tmp_mb", "limits.", 1, 65_536, d.TmpMb),
            OutputKb = Whole(limits, "output_kb", "limits.", 1, 65_536, d.OutputKb),
        };
    }

    private static RetryPolicy ReadRetry(Dictionary<string, JsonElement> fields)
    {
        if (!fields.TryGetValue("retry", out var value))
        {
            return RetryPolicy.Default;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("retry must be an object.");
        }

        var retry = Fields(value, "retry.", RetryFields);
        var d = RetryPolicy.Default;
        var policy = new RetryPolicy(
            Whole(retry, "max_attempts", "retry.", 1, RetryPolicy.MaxAttemptsLimit, d.MaxAttempts),
            Seconds(retry, "backoff_seconds", d.BackoffSeconds),
            Seconds(retry, "max_backoff_seconds", d.MaxBackoffSeconds));
        policy.Validate();
        return policy;
    }

    private static double Seconds(Dictionary<string, JsonElement> fields, string name, double fallback)
    {
        if (!fields.TryGetValue(name, out var value))
        {
            return fallback;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && double.IsFinite(seconds)
            ? seconds
            : throw Invalid($"retry.{name} must be a number of seconds.");
    }

    private static int Whole(Dictionary<string, JsonElement> fields, string name, string prefix, int min, int max, int fallback)
    {
        if (!fields.TryGetValue(name, out var value))
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Invalid($"{prefix}{name} must be a whole number between {min} and {max}.");
        }

        if (!value.TryGetDecimal(out var number) || number < min || number > max)
        {
            throw Invalid($"{prefix}{name} must be between {min} and {max}.");
        }

        return number == decimal.Truncate(number)
            ? (int)number
            : throw Invalid($"{prefix}{name} must be a whole number between {min} and {max}.");
    }

    /// <summary>The object's fields by name, unknown ones refused; JSON null counts as absent.</summary>
    private static Dictionary<string, JsonElement> Fields(JsonElement obj, string prefix, string[] known)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                throw Invalid($"{prefix}{Shown(property.Name)} is not a known field{Suggest(property.Name, known)}.");
            }

            if (property.Value.ValueKind != JsonValueKind.Null)
            {
                fields[property.Name] = property.Value;
            }
        }

        return fields;
    }

    private static string RequiredString(Dictionary<string, JsonElement> fields, string name) =>
        OptionalString(fields, name) ?? throw Invalid($"{name} is required.");

    private static string? OptionalString(Dictionary<string, JsonElement> fields, string name, string? path = null)
    {
        if (!fields.TryGetValue(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Invalid($"{path ?? name} must be a string.");
    }

    /// <summary>Names the closest known field when the unknown one is a likely typo.</summary>
    private static string Suggest(string name, string[] known)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in known)
        {
            var distance = Distance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (did you mean {best}?)");
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2 || a.Length > 64)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Shown(string name) => Validation.JsonProblems.Shown(name);

    private static InvalidPayloadException Invalid(string message) => new(message);

    [GeneratedRegex(@"^[A-Z_][A-Z0-9_]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^[a-z0-9_]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    /// <summary>RFC 9110 token characters.</summary>
    [GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}\z", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderName();
}
