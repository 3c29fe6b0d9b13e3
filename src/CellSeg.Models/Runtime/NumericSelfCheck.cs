using System.Diagnostics;
using CellSeg.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CellSeg.Models.Runtime;

/// <summary>
/// Runs the layers the models train with (convolutions, transposed convolution, batch and group norm,
/// pooling, upsampling, linear, the elementwise maths of the losses, Adam and SGD, and a tiny U-Net-like
/// network trained for a few iterations) forward and backward in float32 and compares every output and
/// gradient with the same computation in float64. float64 takes ATen's own kernels (oneDNN has none), so it
/// is an independent reference; float32 takes the fast paths training uses. Inputs are float32 values, so
/// both sides start from identical numbers. Each float32 case runs more than once, because the faults it
/// looks for (a wrong JIT kernel, a dispatch race) need not show every time.
/// </summary>
/// <remarks>Draws from its own generator: the process-wide torch seed is not touched.</remarks>
internal static class NumericSelfCheck
{
    /// <summary>Test hook: alters a float32 result, named by operation, before it is compared.</summary>
    internal static Func<string, Tensor, Tensor>? FaultInjection { get; set; }

    /// <summary>
    /// Limit on max |float32 − float64| / max |float64| per compared tensor. Healthy kernels stay below
    /// ~1e-5 here (see README, "Numeric self-check"); a wrong kernel gives NaN, ∞ or errors of order 1.
    /// </summary>
    internal const double Limit = 1e-4;

    private sealed record OpCase(string Name, (string Name, long[] Shape, double Scale, bool Grad)[] Inputs, Func<Tensor[], Tensor> Forward);

    /// <summary>Runs every case <paramref name="repeats"/> times in float32 on the calling thread's torch threads.</summary>
    public static KernelCheckReport Run(int repeats = 2)
    {
        var clock = Stopwatch.StartNew();
        var checks = new List<KernelCheck>();
        using (var scope = NewDisposeScope())
        {
            var seed = 20261207L;
            foreach (var op in Cases())
            {
                var caseSeed = seed++;
                checks.AddRange(Compare(op.Name, repeats, dtype => Evaluate(op, dtype, caseSeed)));
            }

            checks.AddRange(Compare("Adam", repeats, dtype => Optimise(dtype, adam: true, seed)));
            checks.AddRange(Compare("SGD with momentum", repeats, dtype => Optimise(dtype, adam: false, seed + 1)));
            checks.AddRange(Compare("tiny U-Net, 3 training iterations", repeats, dtype => TrainTinyNetwork(dtype, seed + 2)));
        }

        return new KernelCheckReport(checks, get_num_threads(), LibTorchContext.OneDnnEnabled ?? true, clock.Elapsed);
    }

    private static IEnumerable<OpCase> Cases()
    {
        yield return new("conv2d 3×3, 1→8 channels", [("input", [4, 1, 48, 48], 1, true), ("weight", [8, 1, 3, 3], 0.3, true), ("bias", [8], 0.1, true)],
            x => F.conv2d(x[0], x[1], x[2], padding: [1, 1]));
        yield return new("conv2d 3×3, 8→16 channels", [("input", [4, 8, 24, 24], 1, true), ("weight", [16, 8, 3, 3], 0.2, true)],
            x => F.conv2d(x[0], x[1], padding: [1, 1]));
        yield return new("conv2d 3×3 stride 2, 16→16 channels", [("input", [2, 16, 20, 20], 1, true), ("weight", [16, 16, 3, 3], 0.1, true), ("bias", [16], 0.1, true)],
            x => F.conv2d(x[0], x[1], x[2], strides: [2, 2], padding: [1, 1]));
        yield return new("conv2d 1×1, 16→8 channels", [("input", [4, 16, 16, 16], 1, true), ("weight", [8, 16, 1, 1], 0.2, true), ("bias", [8], 0.1, true)],
            x => F.conv2d(x[0], x[1], x[2]));
        yield return new("depthwise conv2d 3×3, 16 channels", [("input", [2, 16, 16, 16], 1, true), ("weight", [16, 1, 3, 3], 0.3, true)],
            x => F.conv2d(x[0], x[1], padding: [1, 1], groups: 16));
        yield return new("conv_transpose2d 2×2 stride 2, 16→8 channels", [("input", [4, 16, 12, 12], 1, true), ("weight", [16, 8, 2, 2], 0.2, true), ("bias", [8], 0.1, true)],
            x => F.conv_transpose2d(x[0], x[1], x[2], strides: [2, 2]));
        yield return new("batch_norm (training)", [("input", [4, 16, 12, 12], 1, true), ("weight", [16], 1, true), ("bias", [16], 0.1, true)],
            x => F.batch_norm(x[0], null, null, x[1], x[2], training: true));
        yield return new("group_norm, 4 groups", [("input", [2, 16, 12, 12], 1, true), ("weight", [16], 1, true), ("bias", [16], 0.1, true)],
            x => F.group_norm(x[0], 4, x[1], x[2]));
        yield return new("relu + max_pool2d 2×2", [("input", [4, 8, 32, 32], 1, true)],
            x => F.max_pool2d(F.relu(x[0]), [2, 2]));
        yield return new("bilinear upsampling ×2 (align_corners)", [("input", [4, 8, 16, 16], 1, true)],
            x => F.interpolate(x[0], scale_factor: [2, 2], mode: InterpolationMode.Bilinear, align_corners: true));
        yield return new("nearest upsampling ×2", [("input", [2, 8, 16, 16], 1, true)],
            x => F.interpolate(x[0], scale_factor: [2, 2], mode: InterpolationMode.Nearest));
        yield return new("adaptive avg pool + hardsigmoid (eSE)", [("input", [2, 16, 12, 12], 1, true)],
            x => x[0] * F.hardsigmoid(F.adaptive_avg_pool2d(x[0], [1, 1])));
        yield return new("linear 256→128", [("input", [64, 256], 1, true), ("weight", [128, 256], 0.05, true), ("bias", [128], 0.1, true)],
            x => F.linear(x[0], x[1], x[2]));
        yield return new("BCE with logits + soft Dice", [("logits", [4, 1, 32, 32], 2, true), ("target", [4, 1, 32, 32], 1, false)],
            x =>
            {
                var target = x[1].Above(0).to(x[0].dtype);
                var p = sigmoid(x[0]);
                var dice = (p * target).sum().Times(2L).Plus(1L) / p.sum().Plus(target.sum()).Plus(1L);
                return F.binary_cross_entropy_with_logits(x[0], target).Plus(dice.Subtracted(1L));
            });
        yield return new("elementwise exp, log, sqrt, tanh (70,000 values)", [("input", [70_000], 1, true)],
            x => (sqrt(x[0].abs().Plus(1L)) * exp(-x[0] * x[0])).Plus(log(x[0].abs().Plus(0.5))).Plus(tanh(x[0])).Plus(log1p(exp(-x[0].abs()))));
    }

    /// <summary>The float64 reference once, then float32 <paramref name="repeats"/> times, compared per named output.</summary>
    private static IEnumerable<KernelCheck> Compare(string name, int repeats, Func<ScalarType, IReadOnlyList<(string Name, Tensor Value)>> evaluate)
    {
        var reference = evaluate(ScalarType.Float64);
        var errors = new double[reference.Count];
        var repeatable = Enumerable.Repeat(true, reference.Count).ToArray();
        Tensor?[] first = new Tensor?[reference.Count];
        for (var r = 0; r < Math.Max(1, repeats); r++)
        {
            var results = evaluate(ScalarType.Float32);
            for (var i = 0; i < reference.Count; i++)
            {
                var operation = $"{name} {reference[i].Name}";
                var value = FaultInjection is { } inject ? inject(operation, results[i].Value) : results[i].Value;
                errors[i] = Worst(errors[i], RelativeError(value, reference[i].Value));
                if (first[i] is null)
                {
                    first[i] = value;
                }
                else if (!value.eq(first[i]!).all().item<bool>())
                {
                    repeatable[i] = false;
                }
            }
        }

        for (var i = 0; i < reference.Count; i++)
        {
            yield return new KernelCheck($"{name} {reference[i].Name}", errors[i], Limit, repeatable[i]);
        }
    }

    private static double Worst(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static double RelativeError(Tensor value, Tensor reference)
    {
        var v = value.to(ScalarType.Float64);
        if (!v.isfinite().all().item<bool>())
        {
            return v.isnan().any().item<bool>() ? double.NaN : double.PositiveInfinity;
        }

        var scale = Math.Max(reference.abs().max().item<double>(), 1e-30);
        return (v - reference).abs().max().item<double>() / scale;
    }

    private static Tensor Draw(long[] shape, double scale, ScalarType dtype, Generator generator) =>
        randn(shape, ScalarType.Float32, generator: generator).Times((float)scale).to(dtype);

    private static IReadOnlyList<(string Name, Tensor Value)> Evaluate(OpCase op, ScalarType dtype, long seed)
    {
        var generator = new Generator((ulong)seed);
        var inputs = op.Inputs.Select(i => Draw(i.Shape, i.Scale, dtype, generator).requires_grad_(i.Grad)).ToArray();
        var output = op.Forward(inputs);
        var loss = output.numel() == 1 ? output : (output * Draw(output.shape, 1, dtype, generator)).sum();
        loss.backward();
        var results = new List<(string, Tensor)> { ("forward", output.detach()) };
        for (var i = 0; i < inputs.Length; i++)
        {
            if (op.Inputs[i].Grad)
            {
                results.Add(($"backward ({op.Inputs[i].Name} gradient)", inputs[i].grad!));
            }
        }

        return results;
    }

    /// <summary>Three steps of the trainers' Adam or SGD with momentum and weight decay on fixed gradients.</summary>
    private static IReadOnlyList<(string Name, Tensor Value)> Optimise(ScalarType dtype, bool adam, long seed)
    {
        var generator = new Generator((ulong)seed);
        var parameter = new TorchSharp.Modules.Parameter(Draw([64, 48], 0.5, dtype, generator));
        var gradients = Enumerable.Range(0, 3).Select(_ => Draw([64, 48], 1, dtype, generator)).ToArray();
        optim.Optimizer optimizer = adam
            ? new HeldOptimizers.Adam([parameter], 1e-2, weightDecay: 1e-4)
            : new HeldOptimizers.SGD([parameter], 1e-2, momentum: 0.9, weightDecay: 1e-4);
        var results = new List<(string, Tensor)>();
        for (var step = 0; step < gradients.Length; step++)
        {
            optimizer.zero_grad();
            (parameter * gradients[step]).sum().backward();
            optimizer.step();
            results.Add(($"step {step + 1} (parameters)", parameter.detach().clone()));
        }

        return results;
    }

    /// <summary>
    /// conv → BN → ReLU → conv → BN → ReLU (skip) → pool → conv → GN → ReLU → transposed conv → concat → conv
    /// → 1×1, BCE + Dice, plain SGD: the narrow shape of the tests' and quickstart's U-Nets.
    /// </summary>
    private static IReadOnlyList<(string Name, Tensor Value)> TrainTinyNetwork(ScalarType dtype, long seed)
    {
        var generator = new Generator((ulong)seed);
        var x = Draw([4, 1, 48, 48], 1, dtype, generator);
        var target = Draw([4, 1, 48, 48], 1, dtype, generator).Above(0.3).to(dtype);
        var shapes = new (string Name, long[] Shape, double Scale)[]
        {
            ("conv1", [8, 1, 3, 3], 0.4), ("bn1 weight", [8], 1), ("bn1 bias", [8], 0.1),
            ("conv2", [8, 8, 3, 3], 0.15), ("bn2 weight", [8], 1), ("bn2 bias", [8], 0.1),
            ("conv3", [16, 8, 3, 3], 0.15), ("gn weight", [16], 1), ("gn bias", [16], 0.1),
            ("up", [16, 8, 2, 2], 0.15), ("up bias", [8], 0.1),
            ("conv4", [8, 16, 3, 3], 0.1), ("head", [1, 8, 1, 1], 0.3), ("head bias", [1], 0.1),
        };
        var p = shapes.Select(s => Draw(s.Shape, s.Scale, dtype, generator).requires_grad_(true)).ToArray();
        var results = new List<(string, Tensor)>();
        for (var iteration = 0; iteration < 3; iteration++)
        {
            var h = F.relu(F.batch_norm(F.conv2d(x, p[0], padding: [1, 1]), null, null, p[1], p[2], training: true));
            var skip = F.relu(F.batch_norm(F.conv2d(h, p[3], padding: [1, 1]), null, null, p[4], p[5], training: true));
            var down = F.relu(F.group_norm(F.conv2d(F.max_pool2d(skip, [2, 2]), p[6], padding: [1, 1]), 4, p[7], p[8]));
            var up = F.conv_transpose2d(down, p[9], p[10], strides: [2, 2]);
            var merged = F.relu(F.conv2d(cat([skip, up], 1), p[11], padding: [1, 1]));
            var logits = F.conv2d(merged, p[12], p[13]);
            var probability = sigmoid(logits);
            var dice = (probability * target).sum().Times(2L).Plus(1L) / probability.sum().Plus(target.sum()).Plus(1L);
            var loss = F.binary_cross_entropy_with_logits(logits, target).Plus(dice.Subtracted(1L));
            loss.backward();
            results.Add(($"iteration {iteration + 1} (loss)", loss.detach()));
            using (no_grad())
            {
                foreach (var t in p)
                {
                    t.sub_(t.grad!.Times(0.1));
                    t.grad!.zero_();
                }
            }
        }

        for (var i = 0; i < p.Length; i++)
        {
            results.Add(($"after training ({shapes[i].Name})", p[i].detach().clone()));
        }

        return results;
    }
}
