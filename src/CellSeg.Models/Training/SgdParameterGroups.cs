using CellSeg.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CellSeg.Models.Training;

/// <summary>
/// detectron2's solver for CenterMask: SGD with momentum 0.9 and weight decay 1e-4 on weights, and no weight
/// decay on normalisation parameters (<c>WEIGHT_DECAY_NORM 0</c>): decaying a GroupNorm/BatchNorm scale towards
/// 0 only fights the normalisation. Parameters are split by the module that owns them, not by name.
/// </summary>
public static class SgdParameterGroups
{
    /// <summary>Momentum of the CenterMask/detectron2 solver.</summary>
    public const double DefaultMomentum = 0.9;

    /// <summary>Weight decay of the CenterMask/detectron2 solver.</summary>
    public const double DefaultWeightDecay = 1e-4;

    /// <summary>
    /// Whether <paramref name="module"/> is a normalisation layer: TorchSharp's batch, group, instance, layer and
    /// local-response norms, and any other module whose type name contains "Norm" (a custom FrozenBN has only
    /// buffers, so it adds nothing either way).
    /// </summary>
    public static bool IsNormalization(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module is BatchNorm or GroupNorm or InstanceNorm1d or InstanceNorm2d or InstanceNorm3d
                   or LayerNorm or LocalResponseNorm
               || module.GetType().Name.Contains("Norm", StringComparison.Ordinal);
    }

    /// <summary>Trainable parameters of <paramref name="network"/> by their full names, split into decayed and not decayed (norms).</summary>
    /// <returns>Names and parameters of each group, in module order; each parameter appears once.</returns>
    public static (IReadOnlyList<(string Name, Parameter Parameter)> Decayed, IReadOnlyList<(string Name, Parameter Parameter)> NotDecayed) Split(nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var decayed = new List<(string, Parameter)>();
        var notDecayed = new List<(string, Parameter)>();
        var seen = new HashSet<IntPtr>();
        foreach (var (prefix, module) in network.named_modules().Prepend((string.Empty, network)))
        {
            foreach (var (name, parameter) in module.named_parameters(recurse: false))
            {
                if (!parameter.requires_grad || !seen.Add(parameter.Handle))
                {
                    continue;   // frozen, or shared and already placed
                }

                var full = prefix.Length == 0 ? name : $"{prefix}.{name}";
                (IsNormalization(module) ? notDecayed : decayed).Add((full, parameter));
            }
        }

        return (decayed, notDecayed);
    }

    /// <summary>
    /// An SGD optimiser over <paramref name="network"/>'s trainable parameters: one group with
    /// <paramref name="weightDecay"/>, one (norm parameters) with none. Each group's own
    /// <c>weight_decay</c> applies (tested). The step is <see cref="HeldOptimizers.SGD"/>'s (TorchSharp's arithmetic, held scalars).
    /// </summary>
    public static SGD CreateSgd(nn.Module network, double learningRate, double momentum = DefaultMomentum, double weightDecay = DefaultWeightDecay)
    {
        var (decayed, notDecayed) = Split(network);
        var groups = new List<SGD.ParamGroup>
        {
            new(decayed.Select(p => p.Parameter), new SGD.Options { LearningRate = learningRate, momentum = momentum, weight_decay = weightDecay }),
        };
        if (notDecayed.Count > 0)
        {
            groups.Add(new(notDecayed.Select(p => p.Parameter), new SGD.Options { LearningRate = learningRate, momentum = momentum, weight_decay = 0 }));
        }

        return new HeldOptimizers.SGD(groups, learningRate, momentum, weightDecay: weightDecay);
    }
}
