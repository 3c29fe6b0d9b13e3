using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Where every RoI samples the feature map, by torchvision's <c>roi_align</c> rules: the image each RoI reads and
/// its bilinear samples per axis. Computed once on the CPU from the boxes and shared by both pooling paths.
/// </summary>
internal sealed class RoiSamples
{
    private RoiSamples(int[] batchOf, RoiAxisSamples[] ys, RoiAxisSamples[] xs, int outputSize)
    {
        BatchOf = batchOf;
        Ys = ys;
        Xs = xs;
        OutputSize = outputSize;
    }

    /// <summary>Image (batch index) of each RoI.</summary>
    public int[] BatchOf { get; }

    /// <summary>Samples along the rows of each RoI.</summary>
    public RoiAxisSamples[] Ys { get; }

    /// <summary>Samples along the columns of each RoI.</summary>
    public RoiAxisSamples[] Xs { get; }

    /// <summary>Bins per side.</summary>
    public int OutputSize { get; }

    /// <summary>Number of RoIs.</summary>
    public int Count => BatchOf.Length;

    /// <summary>Reads <paramref name="rois"/> ([K, 5]) and places their samples on a [batch, ·, height, width] map.</summary>
    public static RoiSamples Build(Tensor rois, long batch, long height, long width, int outputSize, double spatialScale, int samplingRatio, bool aligned)
    {
        float[] roiData;
        using (var cpu = rois.detach().to(ScalarType.Float32, CPU).contiguous())
        {
            roiData = cpu.data<float>().ToArray();
        }

        var count = (int)rois.shape[0];
        var ys = new RoiAxisSamples[count];
        var xs = new RoiAxisSamples[count];
        var batchOf = new int[count];
        var scale = (float)spatialScale;
        var offset = aligned ? 0.5f : 0f;
        for (var k = 0; k < count; k++)
        {
            var b = roiData[k * 5];
            if (b < 0 || b >= batch || b != MathF.Floor(b))
            {
                throw new ArgumentException($"roi {k} names batch index {b}, the features hold {batch} image(s)", nameof(rois));
            }

            batchOf[k] = (int)b;
            var startW = roiData[k * 5 + 1] * scale - offset;
            var startH = roiData[k * 5 + 2] * scale - offset;
            var roiW = roiData[k * 5 + 3] * scale - offset - startW;
            var roiH = roiData[k * 5 + 4] * scale - offset - startH;
            if (!aligned)
            {
                // torchvision's legacy mode forces malformed RoIs to 1×1.
                roiW = MathF.Max(roiW, 1f);
                roiH = MathF.Max(roiH, 1f);
            }

            var gridH = samplingRatio > 0 ? samplingRatio : (int)MathF.Ceiling(roiH / outputSize);
            var gridW = samplingRatio > 0 ? samplingRatio : (int)MathF.Ceiling(roiW / outputSize);
            ys[k] = RoiAxisSamples.Build(startH, roiH / outputSize, gridH, outputSize, (int)height);
            xs[k] = RoiAxisSamples.Build(startW, roiW / outputSize, gridW, outputSize, (int)width);
        }

        return new RoiSamples(batchOf, ys, xs, outputSize);
    }
}
