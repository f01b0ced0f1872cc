using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Bulwark.Sandbox.Seccomp;

/// <summary>
/// The seccomp filter every script job runs under (BOX-1), as the classic BPF program that
/// <c>bwrap --seccomp FD</c> reads (a <c>struct sock_filter[]</c>) and installs with no_new_privs
/// just before it executes the job. Built by our own code rather than libseccomp so the
/// platform needs no native dependency and the whole policy is readable on one page.
/// </summary>
/// <remarks>
/// A deny list, not an allow list: the job is arbitrary user code (interpreters, compilers,
/// shells) whose syscall needs cannot be enumerated, while the calls below are the ones that
/// reach kernel attack surface or host-wide state no job has a use for. The namespaces and the
/// dropped capabilities already refuse most of them; the filter is the layer that still holds
/// when a kernel bug hands the job a capability it should not have.
/// Program:
/// <code>
///   A = arch;  if A != AUDIT_ARCH_X86_64 → KILL_PROCESS
///   A = nr;    if A &amp; X32_SYSCALL_BIT → ERRNO(EPERM)
///   for each denied nr:  if A == nr → ERRNO(EPERM)
///   if A == clone3 → ERRNO(ENOSYS)
///   if A == clone:  A = args[0] (low 32 bits); if A &amp; CLONE_NEW* → ERRNO(EPERM)
///   ALLOW
/// </code>
/// Every jump skips at most three instructions, so no offset ever needs more than the 8 bits a
/// conditional jump has, however long the list grows. The program reads the arguments only on
/// the clone path, so the kernel's seccomp action cache (Linux 5.11+) resolves every other
/// syscall to a constant ALLOW without running the program at all.
/// </remarks>
public static class SeccompFilter
{
    // linux/filter.h, linux/bpf_common.h
    internal const ushort LoadWordAbsolute = 0x00 | 0x00 | 0x20;   // BPF_LD | BPF_W | BPF_ABS
    internal const ushort JumpIfEqual = 0x05 | 0x10 | 0x00;        // BPF_JMP | BPF_JEQ | BPF_K
    internal const ushort JumpIfAnyBitSet = 0x05 | 0x40 | 0x00;    // BPF_JMP | BPF_JSET | BPF_K
    internal const ushort Return = 0x06 | 0x00;                    // BPF_RET | BPF_K

    // linux/seccomp.h: struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
    internal const uint NrOffset = 0;
    internal const uint ArchOffset = 4;
    // args[0]'s low half on a little-endian machine.
    internal const uint Arg0LowOffset = 16;

    internal const uint RetKillProcess = 0x80000000;
    internal const uint RetErrno = 0x00050000;
    internal const uint RetAllow = 0x7fff0000;

    internal const uint Eperm = 1;
    internal const uint Enosys = 38;

    // linux/audit.h: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
    internal const uint AuditArchX86_64 = 0xC000003E;

    // arch/x86/include/uapi/asm/unistd.h: the x32 ABI's calls are the x86_64 numbers with this bit set.
    internal const uint X32SyscallBit = 0x40000000;

    internal const int CloneNr = 56;
    internal const int Clone3Nr = 435;

    /// <summary>
    /// CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (linux/sched.h).
    /// CLONE_NEWUSER is the one that matters: a fresh user namespace gives its creator every
    /// capability inside it, and with them the mount, netfilter and filesystem code that has been
    /// the source of most unprivileged-to-root kernel exploits. The others need CAP_SYS_ADMIN,
    /// which the job does not have unless it combines them with CLONE_NEWUSER; refusing them
    /// too costs nothing. (CLONE_NEWTIME cannot be passed to clone(): its bit is the exit signal.)
    /// </summary>
    internal const uint CloneNamespaceFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    /// <summary>
    /// x86_64 numbers from the kernel's arch/x86/entry/syscalls/syscall_64.tbl (checked against
    /// asm/unistd_64.h); all answered with EPERM, which programs treat as "not allowed here".
    /// </summary>
    internal static readonly (string Name, int Number)[] DeniedX86_64 =
    [
        // Mount table changes: remounting or bind-mounting over the read-only runtime, hiding or
        // replacing what the job's own tools see, escaping the root bwrap built (BOX-1).
        ("mount", 165), ("umount2", 166), ("pivot_root", 155), ("chroot", 161),
        // The new mount API (Linux 5.2+) does the same as mount(2) through file descriptors.
        ("open_tree", 428), ("move_mount", 429), ("fsopen", 430), ("fsconfig", 431), ("fsmount", 432),
        ("fspick", 433), ("mount_setattr", 442), ("open_tree_attr", 467),

        // Namespaces: a new user namespace hands the job every capability inside it and with them
        // the kernel's least hardened code; setns would join a namespace through an inherited fd.
        // (clone with CLONE_NEW* flags is refused by the argument check after this list.)
        ("unshare", 272), ("setns", 308),

        // Reading or writing other processes' memory and descriptors: the job's own helpers may
        // hold the runtime-API capability token; ptrace is also a classic sandbox-escape tool.
        ("ptrace", 101), ("process_vm_readv", 310), ("process_vm_writev", 311), ("process_madvise", 440),
        ("kcmp", 312), ("pidfd_getfd", 438),

        // Kernel keyrings are not namespaced: keys could leak between jobs of different tenants
        // sharing a host uid, and the keyring code has a long CVE history.
        ("add_key", 248), ("request_key", 249), ("keyctl", 250),

        // eBPF and perf: large, frequently exploited kernel surfaces, and perf reads kernel
        // addresses and other processes' timing (side channels between tenants).
        ("bpf", 321), ("perf_event_open", 298),

        // io_uring: a second syscall interface that seccomp cannot see into (its operations are
        // submitted through shared memory) and a leading source of kernel privilege escalations.
        ("io_uring_setup", 425), ("io_uring_enter", 426), ("io_uring_register", 427),

        // userfaultfd lets an exploit pause the kernel mid-copy_from_user to win a race.
        ("userfaultfd", 323),

        // Loading kernel code or replacing the running kernel.
        ("init_module", 175), ("finit_module", 313), ("delete_module", 176),
        ("kexec_load", 246), ("kexec_file_load", 320), ("uselib", 134),

        // Host-wide state: power, swap, process accounting, disk quotas, the kernel log.
        ("reboot", 169), ("swapon", 167), ("swapoff", 168), ("acct", 163),
        ("quotactl", 179), ("quotactl_fd", 443), ("syslog", 103),

        // The clock is shared by the whole host (certificates, leases and audit times depend on it).
        ("settimeofday", 164), ("clock_settime", 227), ("adjtimex", 159), ("clock_adjtime", 305),

        // Raw I/O ports and the LDT: direct hardware access and old kernel attack surface.
        ("iopl", 172), ("ioperm", 173), ("modify_ldt", 154),

        // File handles bypass path-based checks: open_by_handle_at opens any inode on a filesystem
        // whose handle is guessed ("shocker" container escape); name_to_handle_at produces them.
        ("open_by_handle_at", 304), ("name_to_handle_at", 303),

        // Filesystem-wide event monitoring of files outside the sandbox's view.
        ("fanotify_init", 300),

        // Legacy profiling interface into the kernel's dentry cache (removed in Linux 6.x).
        ("lookup_dcookie", 212),

        // personality can turn off ASLR (ADDR_NO_RANDOMIZE) or make all readable memory
        // executable (READ_IMPLIES_EXEC), undoing exploit mitigations for what the job runs next.
        ("personality", 135),

        // Hanging up a terminal the job could otherwise never touch.
        ("vhangup", 153),
    ];

    /// <summary>
    /// Names of the syscalls a script job can never make (BOX-1), for health and documentation
    /// output. clone3 is among them (answered ENOSYS so libc falls back to clone); clone itself
    /// stays allowed except with namespace flags (CLONE_NEWUSER and the other CLONE_NEW* bits).
    /// </summary>
    public static IReadOnlyList<string> DeniedSyscalls { get; } =
        Array.AsReadOnly([.. DeniedX86_64.Select(s => s.Name), "clone3"]);

    /// <summary>
    /// The program bytes: 8 bytes per instruction (u16 code, u8 jt, u8 jf, u32 k), little-endian,
    /// as the kernel's <c>struct sock_filter</c> on x86_64. A new array on every call.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The process is not Linux x86_64.</exception>
    public static byte[] Build()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            // A filter for the wrong ABI would check the wrong syscall numbers: refusing to build
            // one makes the sandbox unusable (BOX-5) instead of silently unprotected.
            throw new PlatformNotSupportedException(
                $"The seccomp filter for script jobs is only built for Linux on x86_64; this process runs on " +
                $"{RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture}), so the sandbox cannot be used here.");
        }

        return BuildX86_64();
    }

    internal static byte[] BuildX86_64()
    {
        var program = new byte[(13 + (2 * DeniedX86_64.Length)) * 8];
        var count = 0;

        // A syscall made through another ABI (int 0x80 enters as i386, with different numbers)
        // would slip past every check below: kill the whole process, it is never legitimate here.
        Add(LoadWordAbsolute, 0, 0, ArchOffset);
        Add(JumpIfEqual, 1, 0, AuditArchX86_64);
        Add(Return, 0, 0, RetKillProcess);

        Add(LoadWordAbsolute, 0, 0, NrOffset);
        // x32 calls reuse the x86_64 arch value with a different numbering; no job needs them.
        Add(JumpIfAnyBitSet, 0, 1, X32SyscallBit);
        Add(Return, 0, 0, RetErrno | Eperm);

        foreach (var (_, number) in DeniedX86_64)
        {
            Add(JumpIfEqual, 0, 1, (uint)number);
            Add(Return, 0, 0, RetErrno | Eperm);
        }

        // clone3 passes its flags in a struct in memory, which seccomp cannot read, so it cannot
        // be checked for CLONE_NEWUSER. ENOSYS (not EPERM) makes glibc and musl fall back to
        // clone, whose flags are in a register and checked next.
        Add(JumpIfEqual, 0, 1, Clone3Nr);
        Add(Return, 0, 0, RetErrno | Enosys);

        // Last, because it overwrites A with the argument: nothing after it may compare nr.
        Add(JumpIfEqual, 0, 3, CloneNr);
        Add(LoadWordAbsolute, 0, 0, Arg0LowOffset);
        Add(JumpIfAnyBitSet, 0, 1, CloneNamespaceFlags);
        Add(Return, 0, 0, RetErrno | Eperm);

        Add(Return, 0, 0, RetAllow);

        // A miscounted size would leave trailing zero instructions the kernel refuses at bwrap
        // time with a bare EINVAL; fail here with the reason instead.
        return count * 8 == program.Length
            ? program
            : throw new InvalidOperationException($"The seccomp program has {count} instructions, not the {program.Length / 8} it was sized for.");

        void Add(ushort code, byte jumpIfTrue, byte jumpIfFalse, uint k)
        {
            var slot = program.AsSpan(count * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(slot, code);
            slot[2] = jumpIfTrue;
            slot[3] = jumpIfFalse;
            BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], k);
            count++;
        }
    }
}
