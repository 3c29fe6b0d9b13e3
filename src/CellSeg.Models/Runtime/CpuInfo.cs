using System.Runtime.Intrinsics.X86;
using System.Text;

namespace CellSeg.Models.Runtime;

/// <summary>
/// What the processor says of itself through CPUID: vendor, family and model (as the kernel's lscpu shows
/// them), brand string and the vector ISA extensions the torch kernels choose between.
/// </summary>
/// <param name="Vendor">CPUID vendor string, e.g. GenuineIntel or AuthenticAMD; "unknown" off x86.</param>
/// <param name="Family">Display family (base + extended), e.g. 6 for Intel Core/Xeon, 25 (19h) for AMD Zen 3/4, 26 (1Ah) for Zen 5.</param>
/// <param name="Model">Display model (extended model in the high nibble).</param>
/// <param name="Brand">The brand string, e.g. "AMD EPYC 9B45".</param>
/// <param name="Extensions">The vector extensions present, in ascending order of capability (avx2, avx512f, ...).</param>
public sealed record CpuInfo(string Vendor, int Family, int Model, string Brand, IReadOnlyList<string> Extensions)
{
    private static readonly Lazy<CpuInfo> CurrentCpu = new(Read);

    /// <summary>This machine's processor.</summary>
    public static CpuInfo Current => CurrentCpu.Value;

    /// <summary>True for an AMD processor.</summary>
    public bool IsAmd => Vendor == "AuthenticAMD";

    /// <summary>True when the processor has the AVX-512 foundation.</summary>
    public bool HasAvx512 => Extensions.Contains("avx512f");

    /// <summary>One line for messages and logs: brand, vendor, family/model in decimal and hex, widest ISA.</summary>
    public string Describe() =>
        $"{Brand} ({Vendor} family {Family} (0x{Family:x}) model {Model} (0x{Model:x}); {(Extensions.Count == 0 ? "no AVX" : string.Join(' ', Extensions))})";

    /// <summary>Reads CPUID (leaves 0, 1, 7 and 0x80000002-4).</summary>
    public static CpuInfo Read()
    {
        if (!X86Base.IsSupported)
        {
            return new CpuInfo("unknown", 0, 0, System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), []);
        }

        var (maxLeaf, b0, c0, d0) = X86Base.CpuId(0, 0);
        var vendor = Ascii(b0, d0, c0);
        var (eax1, _, ecx1, _) = X86Base.CpuId(1, 0);
        var baseFamily = (eax1 >> 8) & 0xF;
        var family = baseFamily == 0xF ? baseFamily + ((eax1 >> 20) & 0xFF) : baseFamily;
        var model = (eax1 >> 4) & 0xF;
        if (baseFamily is 0x6 or 0xF)
        {
            model |= ((eax1 >> 16) & 0xF) << 4;
        }

        var ext = new List<string>();
        if ((ecx1 & (1 << 12)) != 0)
        {
            ext.Add("fma");
        }

        if (maxLeaf >= 7)
        {
            var (_, b7, c7, d7) = X86Base.CpuId(7, 0);
            var (a71, _, _, _) = X86Base.CpuId(7, 1);
            void Bit(int reg, int bit, string name)
            {
                if ((reg & (1 << bit)) != 0)
                {
                    ext.Add(name);
                }
            }

            Bit(b7, 5, "avx2");
            Bit(a71, 4, "avx_vnni");
            Bit(b7, 16, "avx512f");
            Bit(b7, 17, "avx512dq");
            Bit(b7, 30, "avx512bw");
            Bit(b7, 31, "avx512vl");
            Bit(c7, 11, "avx512_vnni");
            Bit(a71, 5, "avx512_bf16");
            Bit(c7, 1, "avx512_vbmi");
            Bit(c7, 6, "avx512_vbmi2");
            Bit(d7, 8, "avx512_vp2intersect");
            Bit(d7, 23, "avx512_fp16");
            Bit(d7, 24, "amx_tile");
        }

        var brand = new StringBuilder();
        var (maxExt, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if (unchecked((uint)maxExt) >= 0x80000004)
        {
            for (var leaf = 0x80000002u; leaf <= 0x80000004u; leaf++)
            {
                var (a, b, c, d) = X86Base.CpuId(unchecked((int)leaf), 0);
                brand.Append(Ascii(a, b, c, d));
            }
        }

        var brandText = brand.ToString().Replace("\0", "", StringComparison.Ordinal).Trim();
        return new CpuInfo(vendor, family, model, brandText.Length == 0 ? vendor : brandText, ext);
    }

    private static string Ascii(params int[] registers)
    {
        var bytes = new byte[registers.Length * 4];
        for (var i = 0; i < registers.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), registers[i]);
        }

        return Encoding.ASCII.GetString(bytes);
    }
}
