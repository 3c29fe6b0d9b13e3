using TorchSharp;

namespace CellSeg.Models.Torch;

/// <summary>
/// TorchSharp scalars that stay reachable for as long as libtorch may read them.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 creates a <see cref="Scalar"/> for every number passed to a tensor method
/// (<c>t.add_(1)</c>, <c>t * 0.5</c>, the implicit alpha of <c>a + b</c>) and frees it in a finalizer. Its methods
/// do not keep that temporary alive across the native call, so a GC started by another thread can run the
/// finalizer while libtorch still reads the scalar: a wrong number or an abort ("Expected false to be true",
/// "Unknown scalar type"). Measured here: 20 s of <c>add_(1)</c> with GCs forced on a second thread aborts within
/// 0.5 s; the same loop with a held scalar runs 5.4 million calls clean (README, "the TorchSharp finalizer
/// race"). So this project never lets TorchSharp make a scalar: constants come from static fields (these,
/// or a class's own), other values are created with <see cref="Of(double)"/> and disposed by a <c>using</c>,
/// which keeps them alive until the call returns. A test reads the compiled IL and fails on any unheld scalar.
/// </remarks>
public static class Scalars
{
    /// <summary>Integer 0.</summary>
    public static readonly Scalar Zero = 0L.ToScalar();

    /// <summary>Integer 1 (also the alpha of every addition).</summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>Integer -1.</summary>
    public static readonly Scalar MinusOne = (-1L).ToScalar();

    /// <summary>Integer 2.</summary>
    public static readonly Scalar Two = 2L.ToScalar();

    /// <summary>Floating-point 0.5.</summary>
    public static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>Floating-point 0.</summary>
    public static readonly Scalar ZeroReal = 0.0.ToScalar();

    /// <summary>Floating-point 1.</summary>
    public static readonly Scalar OneReal = 1.0.ToScalar();

    /// <summary>Floating-point +∞.</summary>
    public static readonly Scalar Infinity = double.PositiveInfinity.ToScalar();

    /// <summary>A floating-point scalar the caller owns: hold it in a <c>using</c> across the call that reads it.</summary>
    public static Scalar Of(double value) => value.ToScalar();

    /// <summary>A single-precision scalar the caller owns (same promotion as a C# <c>float</c> argument).</summary>
    public static Scalar Of(float value) => value.ToScalar();

    /// <summary>An integer scalar the caller owns: hold it in a <c>using</c> across the call that reads it.</summary>
    public static Scalar Of(long value) => value.ToScalar();

    /// <summary>A boolean scalar the caller owns.</summary>
    public static Scalar Of(bool value) => value.ToScalar();
}
