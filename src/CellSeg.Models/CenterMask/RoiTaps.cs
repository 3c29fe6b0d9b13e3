namespace CellSeg.Models.CenterMask;

/// <summary>
/// The taps of every output bin of every RoI along one axis, flat: bin <c>k·P + p</c> owns entries
/// <c>Offsets[k·P + p] .. Offsets[k·P + p + 1]</c> of <see cref="Index"/> (feature row or column) and
/// <see cref="Weight"/> (summed bilinear weight over the bin's samples, divided by the grid). A bin's output is
/// Σ<sub>row taps</sub> Σ<sub>column taps</sub> w<sub>y</sub>·w<sub>x</sub>·F[row, column].
/// </summary>
internal sealed class RoiTaps
{
    private RoiTaps(int[] offsets, int[] index, float[] weight)
    {
        Offsets = offsets;
        Index = index;
        Weight = weight;
    }

    /// <summary>Start of each bin's taps, one more entry than bins.</summary>
    public int[] Offsets { get; }

    /// <summary>Feature row (or column) of each tap.</summary>
    public int[] Index { get; }

    /// <summary>Weight of each tap.</summary>
    public float[] Weight { get; }

    /// <summary>Collects the taps of all RoIs along one axis.</summary>
    public static RoiTaps Build(RoiAxisSamples[] axis, int outputSize)
    {
        var offsets = new int[axis.Length * outputSize + 1];
        var index = new List<int>(axis.Length * outputSize * 2);
        var weight = new List<float>(axis.Length * outputSize * 2);
        for (var k = 0; k < axis.Length; k++)
        {
            for (var p = 0; p < outputSize; p++)
            {
                axis[k].AppendTaps(p, index, weight);
                offsets[k * outputSize + p + 1] = index.Count;
            }
        }

        return new RoiTaps(offsets, [.. index], [.. weight]);
    }
}
