using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// VoVNet + FPN, detectron2's "backbone" of CenterMask: an image batch in, P3–P7 out.
/// </summary>
/// <remarks>
/// Tensor contract: input [N, 3, H, W] normalised and padded to a multiple of 32
/// (<see cref="CenterMaskInput"/>); output [P3…P7], each [N, <see cref="OutChannels"/>, H/s, W/s] for
/// s = 8…128. Children are named <c>bottom_up</c> and <c>fpn</c>; register this module as
/// <c>backbone</c> so <see cref="CenterMaskParameterNames.Centermask2Map(CenterMaskBackbone, FcosHead)"/>
/// applies.
/// </remarks>
public sealed class CenterMaskBackbone : Module<Tensor, Tensor[]>
{
    private readonly VoVNet bottomUp;
    private readonly Fpn fpn;

    /// <summary>Builds VoVNet(<paramref name="spec"/>) and an FPN with <paramref name="fpnChannels"/> channels.</summary>
    public CenterMaskBackbone(VoVNetSpec spec, long fpnChannels, long inChannels = 3)
        : base(nameof(CenterMaskBackbone))
    {
        bottomUp = new VoVNet(spec, inChannels);
        fpn = new Fpn(spec.OutFeatureChannels, fpnChannels);
        register_module("bottom_up", bottomUp);
        register_module("fpn", fpn);
    }

    /// <summary>The VoVNet.</summary>
    public VoVNet BottomUp => bottomUp;

    /// <summary>The pyramid.</summary>
    public Fpn Pyramid => fpn;

    /// <summary>Channels of every pyramid level.</summary>
    public long OutChannels => fpn.OutChannels;

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>Returns [P3, P4, P5, P6, P7].</summary>
    public override Tensor[] forward(Tensor images)
    {
        var features = bottomUp.forward(images);
        try
        {
            return fpn.forward(features);
        }
        finally
        {
            foreach (var f in features)
            {
                f.Dispose();
            }
        }
    }
}
