using System.Globalization;
using Bulwark.Core.Audit;
using Bulwark.Core.Errors;
using Bulwark.Core.Storage;
using Bulwark.Core.Tenancy;
using Bulwark.Server.Auth;
using Bulwark.Server.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bulwark.Server.AuditApi;

/// <summary>
/// <c>GET /v1/audit?from=&amp;to=&amp;action=&amp;limit=&amp;cursor=</c> (AUD-1, RLS-22): the caller's own
/// tenant's audit entries, newest first, with their chain fields; <c>next_cursor</c> continues
/// with older ones. Another tenant's entries and the system chain are never reachable here.
/// </summary>
internal static class AuditEndpoints
{
    public const int DefaultLimit = 100;

    public static void MapAudit(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/audit", async (HttpContext http, IBulwarkStore store, RateLimits.RateLimiter limiter, string? from, string? to, string? action, int? limit, string? cursor) =>
            {
                // NET-3: a page of the audit chain is a heavy read.
                await limiter.AcquireAsync(http, Caller.Of(http), Core.RateLimits.RateBucket.Heavy, http.RequestAborted);
                var query = ReadQuery(from, to, action, limit, cursor);
                var page = await store.QueryAuditAsync(Caller.Of(http).Tenant, query, http.RequestAborted);
                var next = page.Count == query.Limit ? page[^1].Entry.Sequence.ToString(CultureInfo.InvariantCulture) : null;
                return TypedResults.Ok(new AuditPageView(page.Select(AuditExportLine.Of).ToList(), next));
            })
            .RequireScope(Scopes.AuditRead);
    }

    private static AuditQuery ReadQuery(string? from, string? to, string? action, int? limit, string? cursor)
    {
        var fromAt = Time(from, "from");
        var toAt = Time(to, "to");
        if (fromAt is not null && toAt is not null && toAt <= fromAt)
        {
            throw new InvalidPayloadException("'to' must be later than 'from'.");
        }

        if (action is not null && (action.Length is 0 or > 100 || action.Any(char.IsControl)))
        {
            throw new InvalidPayloadException("'action' must be 1 to 100 printable characters.");
        }

        if (limit is < 1 or > AuditQuery.MaxLimit)
        {
            throw new InvalidPayloadException($"The limit must be between 1 and {AuditQuery.MaxLimit}.");
        }

        long? before = null;
        if (cursor is not null)
        {
            before = long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0
                ? seq
                : throw new InvalidPayloadException("The cursor is not one this server issued.");
        }

        return new AuditQuery { From = fromAt, To = toAt, Action = action, Limit = limit ?? DefaultLimit, BeforeSeq = before };
    }

    private static DateTimeOffset? Time(string? text, string name) =>
        text is null
            ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                ? at
                : throw new InvalidPayloadException($"'{name}' must be an RFC 3339 time, e.g. 2026-03-01T12:00:00Z.");
}

/// <summary>A page of <c>GET /v1/audit</c>; <see cref="NextCursor"/> is null on the last page.</summary>
internal sealed record AuditPageView(IReadOnlyList<AuditExportLine> Entries, string? NextCursor);
