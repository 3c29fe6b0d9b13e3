using TorchSharp.Modules;

namespace CellSeg.Models.Training;

/// <summary>
/// detectron2's <c>WarmupMultiStepLR</c>: a linear warm-up from <see cref="WarmupFactor"/>·base to base over
/// <see cref="WarmupIterations"/> iterations, then ×<see cref="Gamma"/> at each of <see cref="Milestones"/>. CenterMask
/// (centermask2, and the LIVECell authors' configs) is trained with it; the formula is detectron2's
/// <c>_get_warmup_factor_at_iter</c> ("linear": factor·(1−α)+α with α = iter / warm-up iterations, 1 from the
/// end of warm-up on) times gamma to the number of milestones ≤ iter (<c>bisect_right</c>).
/// </summary>
public sealed record WarmupMultiStepSchedule
{
    /// <summary>Learning rate after warm-up and before the first milestone.</summary>
    public required double BaseLearningRate { get; init; }

    /// <summary>Images per iteration (all GPUs together); not used by the formula, kept so a preset is a whole solver.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Iterations of the whole run.</summary>
    public required int MaxIterations { get; init; }

    /// <summary>Iterations of linear warm-up (0: none).</summary>
    public int WarmupIterations { get; init; } = 1000;

    /// <summary>Factor at iteration 0 (detectron2's <c>WARMUP_FACTOR</c>, 1e-3).</summary>
    public double WarmupFactor { get; init; } = 1e-3;

    /// <summary>Factor applied at each milestone.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>Iterations at which the rate is multiplied by <see cref="Gamma"/>, ascending.</summary>
    public required IReadOnlyList<int> Milestones { get; init; }

    /// <summary>
    /// The seed paper's budget on 4 GPUs: batch 8, LR 0.005, 12,500 iterations, 1,000 of warm-up, milestones at 10,500
    /// and 11,500 (the default of <c>workflows/livecell-centermask.json</c>).
    /// </summary>
    public static WarmupMultiStepSchedule Paper { get; } = new()
    {
        BaseLearningRate = 0.005, BatchSize = 8, MaxIterations = 12_500, WarmupIterations = 1000, Milestones = [10_500, 11_500],
    };

    /// <summary>The LIVECell authors' anchor-free config: batch 16, LR 0.01, 100,000 iterations, milestones at 80,000 and 90,000.</summary>
    public static WarmupMultiStepSchedule LivecellAuthors { get; } = new()
    {
        BaseLearningRate = 0.01, BatchSize = 16, MaxIterations = 100_000, WarmupIterations = 1000, Milestones = [80_000, 90_000],
    };

    /// <summary>The names of the presets, as workflows write them: <c>paper</c> (<see cref="Paper"/>) and <c>livecell-authors</c> (<see cref="LivecellAuthors"/>).</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["paper", "livecell-authors"];

    /// <summary>The preset called <paramref name="name"/> (one of <see cref="PresetNames"/>).</summary>
    /// <exception cref="ArgumentException">Another name (the message lists the presets).</exception>
    public static WarmupMultiStepSchedule Preset(string name) => name switch
    {
        "paper" => Paper,
        "livecell-authors" => LivecellAuthors,
        _ => throw new ArgumentException($"schedule '{name}' is not one of {string.Join(", ", PresetNames)}"),
    };

    /// <summary>
    /// This schedule with each value that is given (not null) in place of its own, e.g. a preset with a shorter
    /// budget. Not validated: call <see cref="Validate"/> on the result.
    /// </summary>
    public WarmupMultiStepSchedule With(
        int? batchSize = null,
        double? baseLearningRate = null,
        int? maxIterations = null,
        int? warmupIterations = null,
        double? warmupFactor = null,
        IReadOnlyList<int>? milestones = null,
        double? gamma = null) => this with
    {
        BatchSize = batchSize ?? BatchSize,
        BaseLearningRate = baseLearningRate ?? BaseLearningRate,
        MaxIterations = maxIterations ?? MaxIterations,
        WarmupIterations = warmupIterations ?? WarmupIterations,
        WarmupFactor = warmupFactor ?? WarmupFactor,
        Milestones = milestones ?? Milestones,
        Gamma = gamma ?? Gamma,
    };

    /// <summary>Checks the values; a user-built schedule with milestones out of order or a factor outside (0, 1] is a mistake.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public WarmupMultiStepSchedule Validate()
    {
        if (!(BaseLearningRate > 0) || !double.IsFinite(BaseLearningRate))
        {
            throw new ArgumentException($"base learning rate must be positive, got {BaseLearningRate}");
        }

        if (BatchSize < 1 || MaxIterations < 1 || WarmupIterations < 0)
        {
            throw new ArgumentException($"batch size and iterations must be positive and warm-up not negative (batch {BatchSize}, iterations {MaxIterations}, warm-up {WarmupIterations})");
        }

        if (!(WarmupFactor > 0 && WarmupFactor <= 1) || !(Gamma > 0))
        {
            throw new ArgumentException($"warm-up factor must be in (0, 1] and gamma positive (factor {WarmupFactor}, gamma {Gamma})");
        }

        for (var i = 1; i < Milestones.Count; i++)
        {
            if (Milestones[i] <= Milestones[i - 1])
            {
                throw new ArgumentException($"milestones must be strictly ascending: {string.Join(", ", Milestones)}");
            }
        }

        return this;
    }

    /// <summary>The warm-up multiplier at <paramref name="iteration"/> (1 once warm-up is over).</summary>
    public double WarmupMultiplier(long iteration)
    {
        if (iteration >= WarmupIterations)
        {
            return 1.0;
        }

        var alpha = (double)iteration / WarmupIterations;
        return WarmupFactor * (1 - alpha) + alpha;
    }

    /// <summary>The learning rate of iteration <paramref name="iteration"/> (0-based: the rate used for the update of that iteration).</summary>
    public double LearningRateAt(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        var passed = 0;
        foreach (var milestone in Milestones)
        {
            if (milestone <= iteration)
            {
                passed++;
            }
        }

        return BaseLearningRate * WarmupMultiplier(iteration) * Math.Pow(Gamma, passed);
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate of <paramref name="iteration"/>; call before each step.</summary>
    /// <returns>The rate set.</returns>
    public double Apply(OptimizerHelper optimizer, long iteration)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var lr = LearningRateAt(iteration);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        return lr;
    }
}
