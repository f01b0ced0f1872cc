using System.Net;
using Bulwark.Core.Jobs;
using Bulwark.Core.Tenancy;
using Bulwark.Storage.Tests.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.RateLimits;

/// <summary>
/// NET-3 "limits hold across nodes": two servers on one PostgreSQL database (the application login,
/// under the tenant wall) count one identity's requests together, whichever node each one reaches.
/// </summary>
public sealed class TwoNodeRateLimitTests
{
    [Fact] // NET-3
    public async Task Submissions_split_across_two_nodes_share_one_limit()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var auditKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var first = await LimitedServer.StartAsync(clock, o =>
        {
            o.Database = database.AppConnectionString;
            o.DatabaseOwner = database.OwnerConnectionString;
            o.AuditKey = auditKey;
            o.RateLimitJobsPerMin = 4;
        });
        await using var second = await LimitedServer.StartAsync(clock, o =>
        {
            o.Database = database.AppConnectionString;
            o.AuditKey = auditKey;
            o.RateLimitJobsPerMin = 4;
        });
        await first.Operator.ApplyTemplateAsync(LimitedServer.Template, CancellationToken.None);
        var key = await first.NewTenantKeyAsync("acme", Scopes.JobsWrite);
        first.MoveToMinuteStart();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await (i % 2 == 0 ? first : second).SubmitAsync(key);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(
            [HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted,
             HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            statuses);
        var tenant = await second.Store.FindTenantByNameAsync("acme", CancellationToken.None);
        var jobs = await second.Store.ListJobsAsync(new TenantScope(tenant!.Id, tenant.Name), new JobQuery(), CancellationToken.None);
        Assert.Equal(4, jobs.Jobs.Count);
    }
}
