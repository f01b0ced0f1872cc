using System.Globalization;

namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>
/// Makes every denied syscall once from inside a sandbox and records what the kernel answered.
/// Each call runs in a forked child, so one that succeeds (unshare without the filter) or one
/// that kills its caller (the i386 ABI under the filter) cannot change the answers of the rest.
/// The arguments are chosen so the kernel, without the filter, fails for another reason than
/// EPERM wherever it can (bad fd, bad pointer, missing path…), or succeeds harmlessly.
/// </summary>
internal static class SyscallProbe
{
    public const string Script = """
        import ctypes, mmap, os, sys

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        # PyDLL keeps the GIL across the call: a raw clone's child then resumes Python consistently.
        pylibc = ctypes.PyDLL(None, use_errno=True)
        pylibc.syscall.restype = ctypes.c_long

        P = ctypes.c_char_p
        NOWHERE = P(b"/nonexistent-bulwark-probe")
        CLONE_NEWUSER = 0x10000000
        SIGCHLD = 17

        def arg(a):
            return ctypes.c_long(a) if isinstance(a, int) else a

        def raw(nr, *args):
            ctypes.set_errno(0)
            ret = libc.syscall(ctypes.c_long(nr), *[arg(a) for a in args])
            return ret, ctypes.get_errno()

        def clone_newuser():
            ctypes.set_errno(0)
            pid = pylibc.syscall(ctypes.c_long(56), ctypes.c_long(CLONE_NEWUSER | SIGCHLD), *[ctypes.c_long(0)] * 4)
            if pid == 0:
                os._exit(0)
            err = ctypes.get_errno()
            if pid > 0:
                os.waitpid(pid, 0)
                return 0, 0
            return pid, err

        def i386_getpid():
            # mov eax, 20 (getpid in the i386 table); int 0x80; ret
            code = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"
            page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            page.write(code)
            address = ctypes.addressof(ctypes.c_char.from_buffer(page))
            return ctypes.CFUNCTYPE(ctypes.c_int)(address)(), 0

        probes = {
            "mount": lambda: raw(165, P(b"none"), NOWHERE, P(b"tmpfs"), 0, None),
            "umount2": lambda: raw(166, NOWHERE, 0),
            "pivot_root": lambda: raw(155, NOWHERE, NOWHERE),
            "chroot": lambda: raw(161, NOWHERE),
            "open_tree": lambda: raw(428, -1, None, 0),
            "move_mount": lambda: raw(429, -1, None, -1, None, 0),
            "fsopen": lambda: raw(430, None, 0),
            "fsconfig": lambda: raw(431, -1, 0, None, None, 0),
            "fsmount": lambda: raw(432, -1, 0, 0),
            "fspick": lambda: raw(433, -1, None, 0),
            "mount_setattr": lambda: raw(442, -1, None, 0, None, 0),
            "open_tree_attr": lambda: raw(467, -1, None, 0, None, 0),
            "unshare": lambda: raw(272, CLONE_NEWUSER),
            "setns": lambda: raw(308, -1, 0),
            "ptrace": lambda: raw(101, 16, 999999, 0, 0),
            "process_vm_readv": lambda: raw(310, 999999, None, 0, None, 0, 0),
            "process_vm_writev": lambda: raw(311, 999999, None, 0, None, 0, 0),
            "process_madvise": lambda: raw(440, -1, None, 0, 0, 0),
            "kcmp": lambda: raw(312, 999999, 999999, 0, 0, 0),
            "pidfd_getfd": lambda: raw(438, -1, 0, 0),
            "add_key": lambda: raw(248, None, None, None, 0, 0),
            "request_key": lambda: raw(249, None, None, None, 0),
            "keyctl": lambda: raw(250, 9999, 0, 0, 0, 0),
            "bpf": lambda: raw(321, 9999, None, 0),
            "perf_event_open": lambda: raw(298, None, 0, -1, -1, 0),
            "io_uring_setup": lambda: raw(425, 1, None),
            "io_uring_enter": lambda: raw(426, -1, 0, 0, 0, None, 0),
            "io_uring_register": lambda: raw(427, -1, 0, None, 0),
            # UFFD_USER_MODE_ONLY passes the sysctl gate, the unknown bit then fails with EINVAL.
            "userfaultfd": lambda: raw(323, 1 | 0x100000),
            "init_module": lambda: raw(175, None, 0, None),
            "finit_module": lambda: raw(313, -1, None, 0),
            "delete_module": lambda: raw(176, None, 0),
            "kexec_load": lambda: raw(246, 0, 0, None, 0),
            "kexec_file_load": lambda: raw(320, -1, -1, 0, None, 0),
            "uselib": lambda: raw(134, None),
            # Wrong magic numbers: never an actual reboot, even with CAP_SYS_BOOT.
            "reboot": lambda: raw(169, 0, 0, 0, None),
            "swapon": lambda: raw(167, None, 0),
            "swapoff": lambda: raw(168, None),
            "acct": lambda: raw(163, None),
            "quotactl": lambda: raw(179, 0, None, 0, None),
            "quotactl_fd": lambda: raw(443, -1, 0, 0, None),
            "syslog": lambda: raw(103, 9999, None, 0),
            # An unreadable timeval: EFAULT before any permission check, the clock is never touched.
            "settimeofday": lambda: raw(164, 1, None),
            "clock_settime": lambda: raw(227, 0, None),
            "adjtimex": lambda: raw(159, None),
            "clock_adjtime": lambda: raw(305, 0, None),
            "iopl": lambda: raw(172, 4),
            "ioperm": lambda: raw(173, 0, 0, 0),
            "modify_ldt": lambda: raw(154, 0, None, 0),
            "open_by_handle_at": lambda: raw(304, -1, None, 0),
            "name_to_handle_at": lambda: raw(303, -100, None, None, None, 0),
            "fanotify_init": lambda: raw(300, 0xFFFFFFFF, 0),
            "lookup_dcookie": lambda: raw(212, 0, None, 0),
            # 0xffffffff only queries the current persona.
            "personality": lambda: raw(135, 0xFFFFFFFF),
            "vhangup": lambda: raw(153),
            "clone3": lambda: raw(435, None, 0),
            "clone_newuser": clone_newuser,
            # getpid through the x32 numbering.
            "x32_getpid": lambda: raw(0x40000000 | 39),
            "i386_getpid": i386_getpid,
        }

        for name, probe in probes.items():
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    ret, err = probe()
                    os.write(1, f"{name} {ret} {err}\n".encode())
                finally:
                    os._exit(0)
            _, status = os.waitpid(pid, 0)
            if os.WIFSIGNALED(status):
                print(f"{name} signal {os.WTERMSIG(status)}", flush=True)
        """;

    /// <summary>Parses the script's lines: <c>name ret errno</c>, or <c>name signal N</c> for a killed child.</summary>
    public static IReadOnlyDictionary<string, SyscallOutcome> Parse(string stdout)
    {
        var outcomes = new Dictionary<string, SyscallOutcome>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            outcomes[parts[0]] = parts[1] == "signal"
                ? new SyscallOutcome(-1, 0, int.Parse(parts[2], CultureInfo.InvariantCulture))
                : new SyscallOutcome(long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), null);
        }

        return outcomes;
    }
}
