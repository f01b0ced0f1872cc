using System.Globalization;
using Bulwark.Core.Jobs;
using Bulwark.Core.Redaction;
using Bulwark.Core.Secrets;
using Bulwark.Core.Templates;
using Bulwark.Server.Egress;
using Bulwark.Server.Secrets;

namespace Bulwark.Server.Execution;

/// <summary>
/// Http jobs (API.md "Templates", NET-1): one outbound request through the egress guard, built
/// by <see cref="HttpJobRequest"/>. The result is <c>{status, headers, body, body_base64, bytes}</c>,
/// redacted with the run's secrets (SEC-4). A refusal fails the run with <c>egress_denied</c>
/// before anything is sent; a timeout or network error is retried per the template's policy.
/// A 2xx or 3xx answer succeeds; 408, 429 and 5xx are retried; any other 4xx fails at once.
/// </summary>
internal sealed class HttpExecutor(EgressService egress, RunSecrets secrets) : IJobExecutor
{
    public TemplateKind Kind => TemplateKind.Http;

    public void EnsureAvailable()
    {
        // Nothing on this node to set up: the guard is always there.
    }

    public async Task<AttemptResult> ExecuteAsync(ClaimedJob claimed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        RunSecretSet runSecrets;
        EgressRequest request;
        try
        {
            runSecrets = await secrets.ResolveAsync(claimed, ct);
            request = HttpJobRequest.Build(claimed.Template.Definition, claimed.Job.InputsJson, runSecrets.Secrets);
        }
        catch (SecretRefusedException e)
        {
            return Failure(AttemptResultKind.PermanentFailure, e.Message, e.Code, Redactor.Credentials);
        }
        catch (HttpJobRequestException e)
        {
            return Failure(AttemptResultKind.PermanentFailure, e.Message, e.Code, Redactor.Credentials);
        }

        var redactor = runSecrets.Redactor;
        EgressResponse response;
        try
        {
            response = await egress.SendAsync(null, claimed.Job.TenantId, $"task:{claimed.Job.Id}", request, redactor, ct);
        }
        catch (EgressException e)
        {
            var kind = e.Retryable ? AttemptResultKind.RetryableFailure : AttemptResultKind.PermanentFailure;
            return Failure(kind, e.Message, e.Code, redactor);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Failure(AttemptResultKind.Cancelled, "The run was cancelled.", "cancelled", redactor);
        }

        var line = redactor.Redact(string.Create(CultureInfo.InvariantCulture,
            $"{request.Method} {response.Target} -> {response.Status} ({response.Body.LongLength} bytes)\n"));
        var (resultKind, error) = response.Status switch
        {
            < 400 => (AttemptResultKind.Succeeded, (string?)null),
            408 or 429 or >= 500 => (AttemptResultKind.RetryableFailure, $"The server answered {response.Status}."),
            _ => (AttemptResultKind.PermanentFailure, $"The server answered {response.Status}."),
        };
        return new AttemptResult
        {
            Kind = resultKind,
            Error = error,
            ErrorCode = error is null ? null : "http_status",
            Stdout = line,
            ResultJson = EgressResultJson.From(response, redactor),
        };
    }

    private static AttemptResult Failure(AttemptResultKind kind, string message, string code, Redactor redactor) => new()
    {
        Kind = kind,
        Error = redactor.Redact(message),
        ErrorCode = code,
        Stderr = redactor.Redact(message) + "\n",
    };
}
