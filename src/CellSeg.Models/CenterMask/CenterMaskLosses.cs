using CellSeg.Models.Torch;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The named loss components of one CenterMask training batch, as centermask2 logs them, and their sum (what the
/// optimiser minimises). Each is a scalar tensor still attached to the graph; disposing the record frees them.
/// </summary>
/// <param name="FcosClassification">loss_fcos_cls: sigmoid focal loss over every location, per positive.</param>
/// <param name="FcosLocalization">loss_fcos_loc: GIoU loss of the positives, weighted by the centerness target.</param>
/// <param name="FcosCenterness">loss_fcos_ctr: centerness BCE of the positives.</param>
/// <param name="Mask">loss_mask: SAG-Mask per-pixel BCE on the foreground RoIs.</param>
/// <param name="MaskIou">loss_maskiou: MaskIoU regression (times its weight).</param>
/// <param name="Positives">FCOS positive locations in the batch.</param>
/// <param name="ForegroundRois">Foreground RoIs the mask branch trained on.</param>
public sealed record CenterMaskLosses(
    Tensor FcosClassification,
    Tensor FcosLocalization,
    Tensor FcosCenterness,
    Tensor Mask,
    Tensor MaskIou,
    long Positives,
    int ForegroundRois) : IDisposable
{
    /// <summary>centermask2's names of the components, in the order of <see cref="Values"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["loss_fcos_cls", "loss_fcos_loc", "loss_fcos_ctr", "loss_mask", "loss_maskiou"];

    /// <summary>The sum of all components (a new tensor each call; the caller disposes it).</summary>
    public Tensor Total() => FcosClassification.Plus(FcosLocalization).Plus(FcosCenterness).Plus(Mask).Plus(MaskIou);

    /// <summary>The components as numbers keyed by <see cref="Names"/> (for logs and progress).</summary>
    public IReadOnlyDictionary<string, double> Values() => new Dictionary<string, double>
    {
        [Names[0]] = FcosClassification.item<float>(),
        [Names[1]] = FcosLocalization.item<float>(),
        [Names[2]] = FcosCenterness.item<float>(),
        [Names[3]] = Mask.item<float>(),
        [Names[4]] = MaskIou.item<float>(),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        FcosClassification.Dispose();
        FcosLocalization.Dispose();
        FcosCenterness.Dispose();
        Mask.Dispose();
        MaskIou.Dispose();
    }
}
