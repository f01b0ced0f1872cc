using System.Text;
using Bulwark.Core.Errors;
using Bulwark.Core.Jobs;
using Bulwark.Core.RateLimits;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Auth;
using Bulwark.Server.Flags;
using Bulwark.Server.Http;
using Bulwark.Server.Logs;
using Bulwark.Server.RateLimits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.Jobs;

/// <summary><c>/v1/jobs</c> (API.md). Every route is tenant-scoped through the caller.</summary>
internal static class JobEndpoints
{
    private const int MaxBodyDepth = 10;

    public static void MapJobs(this IEndpointRouteBuilder routes)
    {
        var jobs = routes.MapGroup("/v1/jobs");

        jobs.MapPost("/", async Task<Results<Accepted<JobView>, Ok<JobView>, Ok<DryRunView>>> (HttpContext http, JobService service, RateLimiter limiter) =>
            {
                // NET-3: counted before the body is even read; a refusal stores nothing.
                await limiter.AcquireAsync(http, Caller.Of(http), RateBucket.Jobs, http.RequestAborted);
                using var body = await JsonBody.ReadAsync(http.Request, MaxBodyDepth, http.RequestAborted);
                var request = SubmitJobRequest.Read(body.RootElement);
                return await service.SubmitAsync(http, Caller.Of(http), request, http.RequestAborted) switch
                {
                    SubmitOutcome.Submitted s => TypedResults.Accepted($"/v1/jobs/{s.Job.Id}", JobView.Of(s.Job)),
                    SubmitOutcome.Existing e => TypedResults.Ok(JobView.Of(e.Job)),
                    SubmitOutcome.DryRun d => TypedResults.Ok(d.View),
                    _ => throw new InvalidOperationException("Unknown submit outcome."),
                };
            })
            .RequireScope(Scopes.JobsWrite);

        jobs.MapGet("/", async (HttpContext http, JobService service, RateLimiter limiter, ReadTrail reads, string? state, string? template, int? limit, string? cursor) =>
            {
                await limiter.AcquireAsync(http, Caller.Of(http), RateBucket.Heavy, http.RequestAborted);
                var query = ReadQuery(state, template, limit, cursor);
                var page = await service.ListAsync(Caller.Of(http), query, http.RequestAborted);
                await RecordReadAsync(http, reads, ReadTrail.JobList, http.Request.QueryString.Value is { Length: > 0 } q ? q : null);
                return TypedResults.Ok(new JobPageView(page.Jobs.Select(JobView.Of).ToList(), page.NextCursor));
            })
            .RequireScope(Scopes.JobsRead);

        jobs.MapGet("/{id}", async (HttpContext http, JobService service, ReadTrail reads, string id) =>
            {
                var job = await service.GetAsync(Caller.Of(http), id, http.RequestAborted);
                await RecordReadAsync(http, reads, ReadTrail.JobRead, id);
                return TypedResults.Ok(JobView.Of(job));
            })
            .RequireScope(Scopes.JobsRead);

        jobs.MapPost("/{id}/cancel", async Task<Results<Ok<JobView>, Accepted<JobView>>> (HttpContext http, JobService service, string id) =>
            {
                var result = await service.CancelAsync(http, Caller.Of(http), id, http.RequestAborted);
                return result.WasRunning
                    ? TypedResults.Accepted($"/v1/jobs/{id}", JobView.Of(result.Job))
                    : TypedResults.Ok(JobView.Of(result.Job));
            })
            .RequireScope(Scopes.JobsWrite);

        jobs.MapGet("/{id}/logs", async Task<IResult> (HttpContext http, JobService service, RateLimiter limiter, ReadTrail reads, string id, bool? follow) =>
            {
                if (follow == true)
                {
                    // NET-3: starting a follow holds a stream open; it spends the heavy budget.
                    await limiter.AcquireAsync(http, Caller.Of(http), RateBucket.Heavy, http.RequestAborted);
                    if (reads.IsOn(Caller.Of(http).Tenant.TenantId))
                    {
                        // FLAG-1: a follow is a read of the job's logs; only its own tenant's job counts as one.
                        await service.GetAsync(Caller.Of(http), id, http.RequestAborted);
                        await RecordReadAsync(http, reads, ReadTrail.JobLogs, id);
                    }

                    // JOB-6: server-sent events until the job ends, whatever the Accept header says.
                    await LogStreamEndpoint.StreamAsync(http, service, id);
                    return TypedResults.Empty;
                }

                var entries = await service.LogsAsync(Caller.Of(http), id, http.RequestAborted);
                await RecordReadAsync(http, reads, ReadTrail.JobLogs, id);
                return TypedResults.Text(FormatLogs(entries), "text/plain", Encoding.UTF8);
            })
            .RequireScope(Scopes.JobsRead);

        jobs.MapGet("/{id}/manifest", Manifests.ManifestEndpoint.GetAsync).RequireScope(Scopes.JobsRead);
    }

    // FLAG-1: the full read trail, when audit_logging is on for the caller's tenant.
    private static Task RecordReadAsync(HttpContext http, ReadTrail reads, string action, string? target)
    {
        var caller = Caller.Of(http);
        return reads.RecordAsync(http, caller.Tenant.TenantId, caller.Subject, action, target, http.RequestAborted);
    }

    private static JobQuery ReadQuery(string? state, string? template, int? limit, string? cursor)
    {
        JobState? parsedState = null;
        if (state is not null)
        {
            parsedState = JobStateNames.TryParse(state, out var s)
                ? s
                : throw new InvalidPayloadException($"'{state}' is not a job state.");
        }

        if (template is not null)
        {
            Identifiers.Require(template, "template");
        }

        if (limit is < 1 or > JobQuery.MaxLimit)
        {
            throw new InvalidPayloadException($"The limit must be between 1 and {JobQuery.MaxLimit}.");
        }

        if (cursor is not null && !Identifiers.IsValid(cursor))
        {
            throw new InvalidPayloadException("The cursor is not one this server issued.");
        }

        return new JobQuery(parsedState, template, limit ?? 50, cursor);
    }

    /// <summary>Each attempt's streams under a header line, in order.</summary>
    private static string FormatLogs(IReadOnlyList<JobLogEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append("--- attempt ").Append(entry.Attempt).Append(' ').Append(entry.Stream).Append(" ---\n");
            text.Append(entry.Text);
            if (entry.Text.Length > 0 && entry.Text[^1] != '\n')
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }
}
