using System.Buffers.Binary;

namespace Bulwark.Sandbox.Tests.Seccomp;

/// <summary>
/// Runs a classic BPF seccomp program the way the kernel does, for the few instructions the
/// filter uses, so every syscall number can be checked without starting a sandbox per number.
/// Unknown instructions and jumps off the end fail loudly: the kernel would refuse them too.
/// </summary>
internal static class BpfInterpreter
{
    public const uint AuditArchX86_64 = 0xC000003E;
    public const uint AuditArchI386 = 0x40000003;

    public static uint Run(byte[] program, int nr, uint arch = AuditArchX86_64, ulong arg0 = 0)
    {
        // struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
        var data = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), arch);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), arg0);

        var count = program.Length / 8;
        uint a = 0;
        for (var pc = 0; pc < count; pc++)
        {
            var slot = program.AsSpan(pc * 8, 8);
            var code = BinaryPrimitives.ReadUInt16LittleEndian(slot);
            var jt = slot[2];
            var jf = slot[3];
            var k = BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]);
            switch (code)
            {
                case 0x20: // BPF_LD | BPF_W | BPF_ABS
                    Assert.True(k % 4 == 0 && k + 4 <= data.Length, $"instruction {pc} loads outside seccomp_data ({k})");
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)k));
                    break;
                case 0x15: // BPF_JMP | BPF_JEQ | BPF_K
                    pc += a == k ? jt : jf;
                    break;
                case 0x45: // BPF_JMP | BPF_JSET | BPF_K
                    pc += (a & k) != 0 ? jt : jf;
                    break;
                case 0x06: // BPF_RET | BPF_K
                    return k;
                default:
                    Assert.Fail($"instruction {pc} has an unexpected code 0x{code:x4}");
                    break;
            }
        }

        Assert.Fail("the program ran off its end without returning");
        return 0;
    }
}
