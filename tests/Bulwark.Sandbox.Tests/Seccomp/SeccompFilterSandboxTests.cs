using Bulwark.Sandbox.Seccomp;

namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>
/// The filter installed by real bubblewrap (BOX-1): every denied syscall is refused inside the
/// sandbox, and the filter, not the namespaces or missing capabilities, is what refuses it.
/// </summary>
public sealed class SeccompFilterSandboxTests(SyscallProbeFixture probe) : IClassFixture<SyscallProbeFixture>
{
    public static TheoryData<string> DeniedOutright()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in SeccompFilter.DeniedX86_64)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeniedOutright))]
    public void Denied_syscall_fails_with_eperm_when_a_job_makes_it_under_the_filter(string name)
    {
        Assert.True(probe.Filtered.TryGetValue(name, out var outcome), $"{name} has no probe in SyscallProbe.Script");
        Assert.True(outcome.RefusedWithEperm, $"{name}: {outcome}");
    }

    [Theory]
    [MemberData(nameof(DeniedOutright))]
    public void Denied_syscall_fails_with_eperm_when_the_caller_holds_every_namespace_capability(string name)
    {
        var outcome = probe.FilteredNamespaceRoot[name];
        Assert.True(outcome.RefusedWithEperm, $"{name}: {outcome}");
    }

    // Calls whose probe arguments fail validation (or succeed harmlessly) before any capability
    // check on any kernel, so without the filter the answer is never EPERM. swapon, acct,
    // vhangup and the like check capabilities of the initial namespace first: for them only the
    // program tests can show that the filter, not the kernel, refuses them.
    [Theory]
    [InlineData("mount")]
    [InlineData("umount2")]
    [InlineData("pivot_root")]
    [InlineData("chroot")]
    [InlineData("open_tree")]
    [InlineData("fsopen")]
    [InlineData("unshare")]
    [InlineData("setns")]
    [InlineData("ptrace")]
    [InlineData("process_vm_readv")]
    [InlineData("keyctl")]
    [InlineData("add_key")]
    [InlineData("bpf")]
    [InlineData("perf_event_open")]
    [InlineData("open_by_handle_at")]
    [InlineData("name_to_handle_at")]
    [InlineData("userfaultfd")]
    [InlineData("reboot")]
    [InlineData("settimeofday")]
    [InlineData("clock_settime")]
    [InlineData("personality")]
    public void Denied_syscall_gets_the_kernels_own_answer_when_the_filter_is_missing(string name)
    {
        var unfiltered = probe.UnfilteredNamespaceRoot[name];
        Assert.False(unfiltered.RefusedWithEperm, $"{name} without the filter: {unfiltered}");
        Assert.True(probe.FilteredNamespaceRoot[name].RefusedWithEperm);
    }

    [Fact]
    public void Clone_with_clone_newuser_fails_with_eperm_when_made_under_the_filter()
    {
        Assert.True(probe.Filtered["clone_newuser"].RefusedWithEperm, probe.Filtered["clone_newuser"].ToString());
        Assert.True(probe.FilteredNamespaceRoot["clone_newuser"].RefusedWithEperm);

        // Without the filter the same call makes a child in a new user namespace: bwrap alone
        // (without --disable-userns) does not stop it.
        Assert.Equal(new SyscallOutcome(0, 0, null), probe.UnfilteredNamespaceRoot["clone_newuser"]);
    }

    [Fact]
    public void Clone3_fails_with_enosys_when_made_under_the_filter()
    {
        Assert.Equal(new SyscallOutcome(-1, SyscallOutcome.Enosys, null), probe.Filtered["clone3"]);
        // The kernel has clone3 (NULL args are EINVAL): ENOSYS comes from the filter.
        Assert.NotEqual(SyscallOutcome.Enosys, probe.UnfilteredNamespaceRoot["clone3"].Errno);
    }

    [Fact]
    public void X32_syscall_fails_with_eperm_when_made_under_the_filter()
    {
        Assert.True(probe.Filtered["x32_getpid"].RefusedWithEperm, probe.Filtered["x32_getpid"].ToString());
        Assert.False(probe.UnfilteredNamespaceRoot["x32_getpid"].RefusedWithEperm);
    }

    [Fact]
    public void I386_syscall_kills_the_process_when_made_under_the_filter()
    {
        Assert.Equal(SyscallOutcome.Sigsys, probe.Filtered["i386_getpid"].KilledBySignal);
        Assert.Equal(SyscallOutcome.Sigsys, probe.FilteredNamespaceRoot["i386_getpid"].KilledBySignal);
        Assert.Null(probe.UnfilteredNamespaceRoot["i386_getpid"].KilledBySignal);
    }
}
