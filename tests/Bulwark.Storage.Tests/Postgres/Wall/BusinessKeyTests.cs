using Bulwark.Core.Audit;
using Bulwark.Core.Jobs;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Storage.Tests.Postgres.Wall;

/// <summary>
/// RLS-14: a business key unique across tenants would be an oracle (a duplicate-key error tells A
/// that B has the key). The seed already wrote the same idempotency key, user subject, lock name
/// and template key in A and B; each was a fresh creation in its tenant.
/// </summary>
public sealed class BusinessKeyTests : WallTests
{
    [Fact] // RLS-14
    public void Same_idempotency_key_subject_lock_and_template_key_were_each_created_in_both_tenants()
    {
        Assert.All(new[] { A, B }, tenant =>
        {
            Assert.True(tenant.JobCreated);
            Assert.True(tenant.UserCreated);
            Assert.Equal(TwoTenants.SharedIdempotencyKey, tenant.Job.IdempotencyKey);
            Assert.Equal((TwoTenants.SharedTemplateKey, 1), (tenant.Template.Key, tenant.Template.Version));
            // Each tenant's lock counts its own fences from 1: they are two locks, not one.
            Assert.Equal((TwoTenants.SharedLockName, 1L), (tenant.Lock.Name, tenant.Lock.Fence));
        });
        Assert.NotEqual(A.Job.Id, B.Job.Id);
        Assert.NotEqual(A.Template.Id, B.Template.Id);
    }

    [Fact] // RLS-14: the keys are stored twice, once per tenant
    public async Task Database_holds_each_shared_key_once_per_tenant()
    {
        await using var superuser = await Wall.OpenSuperuserAsync();

        foreach (var (table, column, value) in new[]
        {
            ("jobs", "idempotency_key", TwoTenants.SharedIdempotencyKey),
            ("users", "subject", TwoTenants.SharedSubject),
            ("locks", "name", TwoTenants.SharedLockName),
            ("templates", "key", TwoTenants.SharedTemplateKey),
        })
        {
            var tenants = await WallSql.ListAsync(superuser,
                $"SELECT tenant_id FROM {WallSql.Table(table)} WHERE {WallSql.Quote(column)} = @value",
                r => r.GetString(0), ("value", value));
            Assert.Equal(new[] { A.Id, B.Id }.Order(StringComparer.Ordinal), tenants.Order(StringComparer.Ordinal));
        }
    }

    [Fact] // RLS-14: the same key again in one tenant is the tenant's own job, never the other's
    public async Task Resubmitting_the_shared_idempotency_key_returns_each_tenants_own_job()
    {
        var clock = new FakeTimeProvider(A.Job.CreatedAt.AddMinutes(1));
        foreach (var tenant in new[] { A, B })
        {
            var again = await Wall.Store.EnqueueAsync(tenant.Scope, new NewJob
            {
                Id = JobIds.New(clock),
                Template = tenant.Template,
                InputsJson = "{}",
                MaxAttempts = 1,
                IdempotencyKey = TwoTenants.SharedIdempotencyKey,
                RunAt = clock.GetUtcNow(),
                CreatedAt = clock.GetUtcNow(),
            }, new AuditEntry
            {
                At = clock.GetUtcNow(),
                TenantId = tenant.Id,
                Actor = "user:" + TwoTenants.SharedSubject,
                Action = "job.submit",
                Outcome = "success",
            }, CancellationToken.None);

            Assert.False(again.Created);
            Assert.Equal(tenant.Job.Id, again.Job.Id);
        }
    }
}
