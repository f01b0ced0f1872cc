using Bulwark.Sandbox;
using Bulwark.Server.Hosting;

namespace Bulwark.Cli.Doctor;

/// <summary>
/// BOX-5 through <c>bulwark doctor</c>: the sandbox the server would build, asked for its health,
/// which runs <c>/bin/true</c> through the real bubblewrap as the job uid.
/// </summary>
internal static class SandboxCheck
{
    public static DoctorCheck Run(BulwarkOptions o)
    {
        if (o.Sandbox == "none")
        {
            return DoctorCheck.Fail("sandbox", "BULWARK_SANDBOX=none runs script jobs unconfined on this host; use bwrap.");
        }

        if (o.Sandbox != "bwrap")
        {
            return DoctorCheck.Fail("sandbox", $"BULWARK_SANDBOX must be bwrap, not '{o.Sandbox}'.");
        }

        try
        {
            var health = new BubblewrapSandbox(new BubblewrapOptions
            {
                BwrapPath = o.SandboxBwrapPath,
                Uid = o.SandboxUid,
                Gid = o.SandboxGid,
                // The server's own work root: the probe checks the directory runs would really use.
                WorkRoot = Path.Combine(Path.GetFullPath(o.DataDir), "runs"),
            }).Health;
            return health.Usable
                ? DoctorCheck.Ok("sandbox", $"bubblewrap works here ({health.Detail}; limits: {health.Limits}).")
                : DoctorCheck.Fail("sandbox", health.Detail);
        }
        catch (ArgumentException e)
        {
            return DoctorCheck.Fail("sandbox", e.Message);
        }
    }
}
