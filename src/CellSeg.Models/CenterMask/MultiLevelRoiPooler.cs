using CellSeg.Models.Torch;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Pools every RoI from one FPN level chosen by CenterMask's adaptive RoI assignment (the paper's eq. 2,
/// centermask2's <c>ASSIGN_CRITERION "ratio"</c>): <c>k = ceil(k_max − log2(A_image / A_box))</c>, clamped to
/// [k_min, k_max]. Unlike FPN's canonical-224 rule it adapts to the image size, which matters for LIVECell's
/// small, dense cells.
/// </summary>
public sealed class MultiLevelRoiPooler
{
    // sys.float_info.epsilon, added as centermask2 does (it only matters for a zero ratio).
    private const double MachineEpsilon = 2.220446049250313e-16;

    private readonly int[] _levels;

    /// <summary>Creates a pooler over feature maps with the given strides (powers of two, doubling).</summary>
    /// <param name="strides">Strides of the maps passed to <see cref="Pool"/>, finest first (CenterMask: 8, 16, 32 for P3–P5).</param>
    /// <param name="outputSize">RoIAlign bins per side (POOLER_RESOLUTION 14).</param>
    /// <param name="samplingRatio">RoIAlign samples per bin (0: adaptive, POOLER_SAMPLING_RATIO 0).</param>
    public MultiLevelRoiPooler(IReadOnlyList<int>? strides = null, int outputSize = 14, int samplingRatio = 0)
    {
        Strides = strides?.ToArray() ?? [8, 16, 32];
        if (Strides.Count == 0)
        {
            throw new ArgumentException("at least one feature level is needed", nameof(strides));
        }

        _levels = new int[Strides.Count];
        for (var i = 0; i < Strides.Count; i++)
        {
            var s = Strides[i];
            if (s <= 0 || (s & (s - 1)) != 0 || (i > 0 && s != 2 * Strides[i - 1]))
            {
                throw new ArgumentException($"strides must be doubling powers of two, got [{string.Join(", ", Strides)}]", nameof(strides));
            }

            _levels[i] = System.Numerics.BitOperations.Log2((uint)s);
        }

        OutputSize = outputSize;
        SamplingRatio = samplingRatio;
    }

    /// <summary>Strides of the pooled levels, finest first.</summary>
    public IReadOnlyList<int> Strides { get; }

    /// <summary>Bins per side of every pooled RoI.</summary>
    public int OutputSize { get; }

    /// <summary>RoIAlign samples per bin and axis (≤ 0: adaptive).</summary>
    public int SamplingRatio { get; }

    /// <summary>
    /// Index into <see cref="Strides"/> of the level each RoI is pooled from, computed in float32 like centermask2's
    /// <c>assign_boxes_to_levels_by_ratio</c> (image area = height × width of the RoI's own image, before padding).
    /// </summary>
    /// <param name="rois">[K, 5] (batch index, x1, y1, x2, y2) in image pixels.</param>
    /// <param name="imageSizes">(height, width) of each image in the batch.</param>
    /// <returns>[K] int64 on the CPU.</returns>
    public Tensor AssignLevels(Tensor rois, IReadOnlyList<(int Height, int Width)> imageSizes)
    {
        ArgumentNullException.ThrowIfNull(rois);
        ArgumentNullException.ThrowIfNull(imageSizes);
        using var scope = NewDisposeScope();
        var r = rois.detach().to(ScalarType.Float32, CPU);
        var batchIndex = r[TensorIndex.Colon, 0].to(ScalarType.Int64);
        var areas = tensor(imageSizes.Select(s => (float)s.Height * s.Width).ToArray());
        if (batchIndex.numel() > 0 && batchIndex.max().item<long>() >= imageSizes.Count)
        {
            throw new ArgumentException($"a roi names image {batchIndex.max().item<long>()}, only {imageSizes.Count} image size(s) given", nameof(imageSizes));
        }

        var imageArea = areas.index_select(0, batchIndex);
        var boxArea = (r[TensorIndex.Colon, 3] - r[TensorIndex.Colon, 1]) * (r[TensorIndex.Colon, 4] - r[TensorIndex.Colon, 2]);
        int min = _levels[0], max = _levels[^1];
        var level = ceil(log2((imageArea / boxArea).Plus(MachineEpsilon)).Subtracted(max)).ClampTo(min, max);
        return level.to(ScalarType.Int64).Minus(min).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// RoIAlign of every RoI on its assigned level.
    /// </summary>
    /// <param name="features">One [B, C, H, W] map per stride in <see cref="Strides"/>, same C on all levels.</param>
    /// <param name="rois">[K, 5] (batch index, x1, y1, x2, y2) in image pixels.</param>
    /// <param name="imageSizes">(height, width) of each image (the unpadded size; it sets the level).</param>
    /// <returns>[K, C, OutputSize, OutputSize] in the order of <paramref name="rois"/>.</returns>
    public Tensor Pool(IReadOnlyList<Tensor> features, Tensor rois, IReadOnlyList<(int Height, int Width)> imageSizes)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count != Strides.Count)
        {
            throw new ArgumentException($"{features.Count} feature map(s) given, the pooler has {Strides.Count} level(s)", nameof(features));
        }

        if (features.Count == 1)
        {
            return RoiAlign.Apply(features[0], rois, OutputSize, 1.0 / Strides[0], SamplingRatio);
        }

        using var scope = NewDisposeScope();
        var levels = AssignLevels(rois, imageSizes);
        var levelOf = levels.data<long>().ToArray();
        var device = features[0].device;
        var parts = new List<Tensor>();
        var order = new long[levelOf.Length];
        var filled = 0;
        for (var l = 0; l < Strides.Count; l++)
        {
            var members = Enumerable.Range(0, levelOf.Length).Where(k => levelOf[k] == l).Select(k => (long)k).ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            for (var i = 0; i < members.Length; i++)
            {
                order[members[i]] = filled + i;
            }

            filled += members.Length;
            var levelRois = rois.index_select(0, tensor(members, device: rois.device));
            parts.Add(RoiAlign.Apply(features[l], levelRois, OutputSize, 1.0 / Strides[l], SamplingRatio));
        }

        if (parts.Count == 0)
        {
            return zeros([0, features[0].shape[1], OutputSize, OutputSize], features[0].dtype, device).MoveToOuterDisposeScope();
        }

        var all = parts.Count == 1 ? parts[0] : cat(parts, 0);
        return all.index_select(0, tensor(order, device: device)).MoveToOuterDisposeScope();
    }
}
