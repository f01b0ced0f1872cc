using System.Globalization;
using Bulwark.Core.Errors;
using Bulwark.Server.Auth;
using Bulwark.Server.Errors;
using Bulwark.Server.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Server.Logs;

/// <summary>
/// <c>GET /v1/jobs/{id}/logs?follow=true</c> (JOB-6): the checks every refusal needs before a
/// single byte of stream is sent — the job is the caller's (404 otherwise, TEN-1), the resume
/// point is readable, a stream slot is free (429) — then the follower until the job ends.
/// </summary>
internal static class LogStreamEndpoint
{
    public const string TooManyStreamsCode = "too_many_streams";

    /// <summary>Seconds a refused client waits before trying again; a closed stream frees its slot at once.</summary>
    public const int RetryAfterSeconds = 5;

    public static async Task StreamAsync(HttpContext http, JobService service, string jobId)
    {
        var caller = Caller.Of(http);
        var sent = LastEventId(http.Request);
        await service.GetAsync(caller, jobId, http.RequestAborted);

        var services = http.RequestServices;
        using var slot = services.GetRequiredService<LogStreamSlots>().TryTake(caller);
        if (slot is null)
        {
            var problem = ProblemMapping.Problem(
                StatusCodes.Status429TooManyRequests,
                TooManyStreamsCode,
                $"This identity already follows {LogStreamSlots.PerIdentity} log streams; close one or retry later.");
            problem.Title = "Too many requests";
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await ProblemWriter.WriteAsync(http, problem);
            return;
        }

        // Ends with the client, and at server shutdown so a stream never holds the host open.
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        try
        {
            await services.GetRequiredService<LogFollower>()
                .FollowAsync(caller.Tenant, jobId, sent, new ServerSentEvents(http.Response), ended.Token);
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The client left or the server is stopping: the stream just ends.
        }
    }

    /// <summary>The number of entries the client already has: its <c>Last-Event-ID</c>, or 0.</summary>
    private static long LastEventId(HttpRequest request)
    {
        var header = request.Headers["Last-Event-ID"].ToString();
        if (header.Length == 0)
        {
            return 0;
        }

        return long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new InvalidPayloadException("Last-Event-ID must be the id of a log event this server sent.");
    }
}
