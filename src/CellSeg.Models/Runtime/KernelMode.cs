namespace CellSeg.Models.Runtime;

/// <summary>
/// Which CPU kernels torch may use, from <c>CELLSEGFLOWS_CPU_KERNELS</c> (read once, before libtorch loads).
/// </summary>
public enum KernelMode
{
    /// <summary>
    /// Default: the fastest kernels, except where a CPU is known to get them wrong (then capped at AVX2);
    /// if the numeric self-check still fails, oneDNN is switched off and ATen's own kernels are used.
    /// </summary>
    Auto,

    /// <summary>The fastest kernels the CPU has, no cap and no fallback (a failed self-check is an error).</summary>
    Fast,

    /// <summary>oneDNN and oneMKL capped at AVX2 on every CPU.</summary>
    Avx2,

    /// <summary>oneDNN off: ATen's own kernels (slowest; the independent path).</summary>
    Aten,
}
