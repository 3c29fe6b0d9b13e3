namespace CellSeg.Models.CenterMask;

/// <summary>What the managed RoIAlign kernel needs of the RoIs: their images and the row and column taps of every bin.</summary>
internal sealed class RoiAlignPlan
{
    private RoiAlignPlan(int[] batchOf, int outputSize, RoiTaps rows, RoiTaps columns)
    {
        BatchOf = batchOf;
        OutputSize = outputSize;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Image (batch index) of each RoI.</summary>
    public int[] BatchOf { get; }

    /// <summary>Bins per side.</summary>
    public int OutputSize { get; }

    /// <summary>Row taps of every bin row.</summary>
    public RoiTaps Rows { get; }

    /// <summary>Column taps of every bin column.</summary>
    public RoiTaps Columns { get; }

    /// <summary>Number of RoIs.</summary>
    public int Count => BatchOf.Length;

    /// <summary>Collects the taps of <paramref name="samples"/>.</summary>
    public static RoiAlignPlan Build(RoiSamples samples) =>
        new(samples.BatchOf, samples.OutputSize, RoiTaps.Build(samples.Ys, samples.OutputSize), RoiTaps.Build(samples.Xs, samples.OutputSize));
}
