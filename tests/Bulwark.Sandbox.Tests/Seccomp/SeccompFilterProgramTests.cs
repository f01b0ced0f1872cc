using System.Buffers.Binary;
using Bulwark.Sandbox.Seccomp;

namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>The program's bytes and what it answers for each syscall (BOX-1), without a kernel.</summary>
public sealed class SeccompFilterProgramTests
{
    private const uint Allow = 0x7fff0000;
    private const uint Eperm = 0x00050000 | 1;
    private const uint Enosys = 0x00050000 | 38;
    private const uint KillProcess = 0x80000000;
    private const ulong CloneNewUser = 0x10000000;
    private const ulong Sigchld = 17;

    private static readonly byte[] Program = SeccompFilter.Build();

    public static TheoryData<string, int> Denied()
    {
        var data = new TheoryData<string, int>();
        foreach (var (name, number) in SeccompFilter.DeniedX86_64)
        {
            data.Add(name, number);
        }

        return data;
    }

    [Fact]
    public void Build_returns_whole_sock_filter_instructions_when_on_x86_64()
    {
        Assert.Equal(0, Program.Length % 8);
        // Two checks of the ABI, a pair per denied call, clone3, the clone flag check, ALLOW.
        Assert.Equal(6 + (2 * SeccompFilter.DeniedX86_64.Length) + 2 + 4 + 1, Program.Length / 8);
        // The kernel's BPF_MAXINSNS.
        Assert.True(Program.Length / 8 <= 4096);
    }

    [Fact]
    public void Build_loads_the_arch_first_and_allows_last_when_on_x86_64()
    {
        Assert.Equal(Instruction(0x20, 0, 0, 4), Instruction(Program, 0));
        Assert.Equal(Instruction(0x15, 1, 0, 0xC000003E), Instruction(Program, 1));
        Assert.Equal(Instruction(0x06, 0, 0, KillProcess), Instruction(Program, 2));
        Assert.Equal(Instruction(0x20, 0, 0, 0), Instruction(Program, 3));
        Assert.Equal(Instruction(0x06, 0, 0, Allow), Instruction(Program, (Program.Length / 8) - 1));
    }

    [Fact]
    public void Build_returns_a_fresh_array_when_called_twice()
    {
        var first = SeccompFilter.Build();
        var second = SeccompFilter.Build();
        Assert.NotSame(first, second);
        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(Denied))]
    public void Program_compares_nr_against_each_denied_syscall_when_built(string name, int number)
    {
        var pairs = Enumerable.Range(0, Program.Length / 8)
            .Where(i => Instruction(Program, i) == Instruction(0x15, 0, 1, (uint)number))
            .ToList();
        var index = Assert.Single(pairs);
        Assert.True(Instruction(Program, index + 1) == Instruction(0x06, 0, 0, Eperm), $"{name} is not followed by RET ERRNO(EPERM)");
    }

    [Theory]
    [MemberData(nameof(Denied))]
    public void Program_answers_eperm_when_a_denied_syscall_is_made(string name, int number)
    {
        Assert.True(BpfInterpreter.Run(Program, number) == Eperm, $"{name} ({number}) is not refused with EPERM");
    }

    [Theory]
    [InlineData(0)]    // read
    [InlineData(1)]    // write
    [InlineData(9)]    // mmap
    [InlineData(39)]   // getpid
    [InlineData(57)]   // fork
    [InlineData(59)]   // execve
    [InlineData(202)]  // futex
    [InlineData(231)]  // exit_group
    [InlineData(257)]  // openat
    [InlineData(334)]  // rseq
    [InlineData(439)]  // faccessat2
    public void Program_allows_ordinary_syscalls_when_made_natively(int number)
    {
        Assert.Equal(Allow, BpfInterpreter.Run(Program, number));
    }

    [Fact]
    public void Program_lists_no_syscall_twice_when_built()
    {
        Assert.Equal(SeccompFilter.DeniedX86_64.Length, SeccompFilter.DeniedX86_64.Select(s => s.Number).Distinct().Count());
        Assert.Equal(SeccompFilter.DeniedSyscalls.Count, SeccompFilter.DeniedSyscalls.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void DeniedSyscalls_names_every_refused_call_when_listed_for_health_output()
    {
        foreach (var name in (string[])["mount", "umount2", "unshare", "setns", "ptrace", "keyctl", "add_key", "bpf",
                     "perf_event_open", "init_module", "kexec_load", "reboot", "swapon", "open_by_handle_at", "userfaultfd",
                     "pivot_root", "chroot", "io_uring_setup", "clone3"])
        {
            Assert.Contains(name, SeccompFilter.DeniedSyscalls);
        }

        Assert.DoesNotContain("clone", SeccompFilter.DeniedSyscalls);
    }

    [Fact]
    public void Program_kills_the_process_when_the_call_uses_another_abi()
    {
        // int 0x80 from a 64-bit process: i386 numbers, where 20 is getpid but 165 is not mount.
        Assert.Equal(KillProcess, BpfInterpreter.Run(Program, 20, BpfInterpreter.AuditArchI386));
        Assert.Equal(KillProcess, BpfInterpreter.Run(Program, 21, BpfInterpreter.AuditArchI386));
    }

    [Theory]
    [InlineData(39)]   // getpid
    [InlineData(165)]  // mount
    [InlineData(512)]  // x32 rt_sigaction
    public void Program_answers_eperm_when_the_call_uses_the_x32_numbering(int number)
    {
        Assert.Equal(Eperm, BpfInterpreter.Run(Program, 0x40000000 | number));
    }

    [Fact]
    public void Program_answers_enosys_when_clone3_is_made_so_libc_falls_back_to_clone()
    {
        Assert.Equal(Enosys, BpfInterpreter.Run(Program, 435));
    }

    [Theory]
    [InlineData(0x10000000UL)]  // CLONE_NEWUSER
    [InlineData(0x00020000UL)]  // CLONE_NEWNS
    [InlineData(0x02000000UL)]  // CLONE_NEWCGROUP
    [InlineData(0x04000000UL)]  // CLONE_NEWUTS
    [InlineData(0x08000000UL)]  // CLONE_NEWIPC
    [InlineData(0x20000000UL)]  // CLONE_NEWPID
    [InlineData(0x40000000UL)]  // CLONE_NEWNET
    [InlineData(0xFFFFFFFF00000000UL | 0x10000000UL)]  // clone() uses only the low 32 bits of its flags, as the filter does
    public void Program_answers_eperm_when_clone_asks_for_a_new_namespace(ulong flag)
    {
        Assert.Equal(Eperm, BpfInterpreter.Run(Program, 56, arg0: flag | Sigchld));
    }

    [Theory]
    [InlineData(Sigchld)]  // fork()
    [InlineData(0x003D0F00UL)]  // pthread_create: VM | FS | FILES | SIGHAND | THREAD | SYSVSEM | SETTLS | PARENT_SETTID | CHILD_CLEARTID
    [InlineData(0x00004111UL)]  // posix_spawn: CLONE_VM | CLONE_VFORK | SIGCHLD
    public void Program_allows_clone_when_no_namespace_flag_is_set(ulong flags)
    {
        Assert.Equal(Allow, BpfInterpreter.Run(Program, 56, arg0: flags));
    }

    [Fact]
    public void Program_keeps_every_jump_inside_the_program_when_built()
    {
        var count = Program.Length / 8;
        for (var i = 0; i < count; i++)
        {
            var (code, jt, jf, _) = Instruction(Program, i);
            if ((code & 0x07) == 0x05)
            {
                Assert.True(i + 1 + Math.Max(jt, jf) < count, $"instruction {i} jumps past the end");
            }
        }
    }

    private static (ushort Code, byte Jt, byte Jf, uint K) Instruction(ushort code, byte jt, byte jf, uint k) => (code, jt, jf, k);

    private static (ushort Code, byte Jt, byte Jf, uint K) Instruction(byte[] program, int index)
    {
        var slot = program.AsSpan(index * 8, 8);
        return (BinaryPrimitives.ReadUInt16LittleEndian(slot), slot[2], slot[3], BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]));
    }
}
