using Bulwark.Server.Tests.Support;
using Bulwark.Server.Tests.Worker;

namespace Bulwark.Server.Tests.Manifests;

/// <summary>JOB-11, AUTH-7: a run completed through the worker API gets its manifest as a local one does.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RemoteManifestTests
{
    [Fact] // JOB-11: the completion the server writes for a remote worker records the manifest too
    public async Task A_job_run_by_a_remote_worker_gets_its_manifest()
    {
        await using var server = await WorkerCalls.StartServerAsync(o => o.ManifestsEnabled = true);
        var key = await server.NewTenantKeyAsync("acme", "jobs:read", "jobs:write");
        await server.ApplyTemplateAsync(ManifestTests.Template("remote"));
        await using var worker = RemoteWorkerProcess.Start(server);

        var id = (await server.SubmitAsync(key, new { template = "manifest.echo", inputs = new { n = 5 } })).GetProperty("id").GetString()!;
        var job = await server.WaitForStateAsync(key, id, "succeeded", "failed", "dead");
        var manifest = await ManifestTests.WaitForManifestAsync(server, key, id);

        Assert.True("succeeded" == job.GetProperty("state").GetString(), worker.Output);
        Assert.Equal("succeeded", manifest.GetProperty("state").GetString());
        Assert.Equal(1, manifest.GetProperty("template").GetProperty("version").GetInt32());
        Assert.Equal(0, manifest.GetProperty("exit_code").GetInt32());
        Assert.Contains(manifest.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("name").GetString() == "stdout");
    }
}
