using CellSeg.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// FCOS head shared by all pyramid levels (centermask2 <c>FCOSHead</c>): a classification tower and a
/// box tower of conv3×3 (bias) + GroupNorm + ReLU, then class logits on the first, and box regression
/// and centerness on the second.
/// </summary>
/// <remarks>
/// Tensor contract, per level l with input [N, C, H, W]: logits [N, classes, H, W]; box regression
/// [N, 4, H, W] = relu(scale_l · pred) as (left, top, right, bottom) distances in units of the
/// level's stride (multiply by the stride for pixels); centerness logits [N, 1, H, W]. Init as FCOS:
/// every conv N(0, 0.01) with bias 0, the class bias −log((1 − p)/p) with prior p = 0.01 so the focal
/// loss starts near background. Child names are centermask2's (<c>cls_tower.0</c>, <c>bbox_tower.0</c>,
/// <c>cls_logits</c>, <c>bbox_pred</c>, <c>ctrness</c>, <c>scales.0.scale</c>); the parameter-free
/// <c>share_tower</c> (NUM_SHARE_CONVS 0) is omitted.
/// </remarks>
public sealed class FcosHead : Module<Tensor[], FcosHeadOutput>
{
    private readonly Sequential clsTower;
    private readonly Sequential bboxTower;
    private readonly Conv2d clsLogits;
    private readonly Conv2d bboxPred;
    private readonly Conv2d ctrness;
    private readonly ModuleList<FcosScale> scales;

    /// <param name="inChannels">FPN channels (the same on every level).</param>
    /// <param name="numClasses">Foreground classes (1 for LIVECell: "cell").</param>
    /// <param name="towerConvs">Convs per tower: 2 for the Lite/slim config, 4 for the full one.</param>
    /// <param name="levels">Pyramid levels (one learnable scale each): 5 for P3–P7.</param>
    /// <param name="priorProbability">Initial foreground probability of every location.</param>
    /// <param name="groupNormGroups">GroupNorm groups (32, detectron2's "GN").</param>
    public FcosHead(long inChannels, int numClasses, int towerConvs, int levels = 5, double priorProbability = 0.01, int groupNormGroups = 32)
        : base(nameof(FcosHead))
    {
        if (numClasses <= 0 || towerConvs < 0 || levels <= 0)
        {
            throw new ArgumentException("FCOS head: classes and levels must be positive, tower convs non-negative.");
        }

        if (inChannels % groupNormGroups != 0)
        {
            throw new ArgumentException($"FCOS head: {inChannels} channels cannot be split into {groupNormGroups} GroupNorm groups.", nameof(inChannels));
        }

        NumClasses = numClasses;
        clsTower = Tower(inChannels, towerConvs, groupNormGroups);
        bboxTower = Tower(inChannels, towerConvs, groupNormGroups);
        clsLogits = Conv2d(inChannels, numClasses, 3, padding: 1);
        bboxPred = Conv2d(inChannels, 4, 3, padding: 1);
        ctrness = Conv2d(inChannels, 1, 3, padding: 1);
        scales = new ModuleList<FcosScale>();
        for (var i = 0; i < levels; i++)
        {
            scales.Add(new FcosScale(1.0f));
        }

        register_module("cls_tower", clsTower);
        register_module("bbox_tower", bboxTower);
        register_module("cls_logits", clsLogits);
        register_module("bbox_pred", bboxPred);
        register_module("ctrness", ctrness);
        register_module("scales", scales);

        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            if (module is Conv2d conv)
            {
                init.normal_(conv.weight!, 0, 0.01);
                init.constant_(conv.bias!, Scalars.Zero);
            }
            else if (module is GroupNorm norm)
            {
                // PyTorch's GroupNorm starts at weight 1, bias 0; TorchSharp 0.107 leaves them uninitialised.
                init.ones_(norm.weight!);
                init.zeros_(norm.bias!);
            }
        }

        using var priorBias = Scalars.Of(-Math.Log((1 - priorProbability) / priorProbability));
        init.constant_(clsLogits.bias!, priorBias);
    }

    /// <summary>Foreground classes predicted.</summary>
    public int NumClasses { get; }

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>Runs the head on every level.</summary>
    public override FcosHeadOutput forward(Tensor[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length > scales.Count)
        {
            throw new ArgumentException($"FCOS head built for {scales.Count} levels got {features.Length}.", nameof(features));
        }

        var logits = new Tensor[features.Length];
        var boxes = new Tensor[features.Length];
        var centers = new Tensor[features.Length];
        for (var l = 0; l < features.Length; l++)
        {
            using var scope = NewDisposeScope();
            var cls = clsTower.forward(features[l]);
            var box = bboxTower.forward(features[l]);
            logits[l] = clsLogits.forward(cls).MoveToOuterDisposeScope();
            centers[l] = ctrness.forward(box).MoveToOuterDisposeScope();
            // ReLU of the scaled output (the "improved FCOS"), not exp: distances in stride units.
            boxes[l] = functional.relu(scales[l].forward(bboxPred.forward(box))).MoveToOuterDisposeScope();
        }

        return new FcosHeadOutput(logits, boxes, centers);
    }

    private static Sequential Tower(long channels, int convs, int groups)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        for (var i = 0; i < convs; i++)
        {
            layers.Add(Conv2d(channels, channels, 3, padding: 1));
            layers.Add(GroupNorm(groups, channels));
            layers.Add(ReLU());
        }

        return Sequential(layers);
    }
}

/// <summary>One learnable scalar per pyramid level that rescales the box regression (init 1).</summary>
public sealed class FcosScale : Module<Tensor, Tensor>
{
    private readonly Parameter scale;

    /// <summary>Creates the scale with <paramref name="initialValue"/>.</summary>
    public FcosScale(float initialValue)
        : base(nameof(FcosScale))
    {
        scale = new Parameter(tensor(new[] { initialValue }));
        register_parameter("scale", scale);
    }

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input * scale;
}

/// <summary>
/// The FCOS head's raw outputs, one tensor per pyramid level (see <see cref="FcosHead"/> for shapes).
/// Disposing it disposes every tensor.
/// </summary>
/// <param name="Logits">Class logits [N, classes, H, W] per level.</param>
/// <param name="BoxRegression">(l, t, r, b) in stride units [N, 4, H, W] per level.</param>
/// <param name="Centerness">Centerness logits [N, 1, H, W] per level.</param>
public sealed record FcosHeadOutput(Tensor[] Logits, Tensor[] BoxRegression, Tensor[] Centerness) : IDisposable
{
    /// <summary>(H, W) of every level, the input of <see cref="FcosTargets"/>.</summary>
    public IReadOnlyList<(long Height, long Width)> LevelShapes =>
        Logits.Select(t => (t.shape[2], t.shape[3])).ToArray();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Logits.Concat(BoxRegression).Concat(Centerness))
        {
            t.Dispose();
        }
    }
}
