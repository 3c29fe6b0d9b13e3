using System.Diagnostics;
using CellSeg.Models.Networks;
using CellSeg.Models.Tests.Infra;
using CellSeg.Models.Torch;
using CellSeg.Models.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests;

/// <summary>
/// The held-scalar replacements (batch norm, Adam, SGD, RMSprop) compute exactly what TorchSharp's own do, keep its
/// file formats, and survive a GC storm that breaks TorchSharp's implicit scalars.
/// </summary>
public class HeldScalarTests
{
    [Fact]
    public void TorchSharp_implicit_scalars_are_freed_mid_call_and_held_ones_are_not()
    {
        // The negative control makes the GC storm below meaningful: the same loop with TorchSharp's own
        // scalars must fail. If it stops failing, a TorchSharp update has fixed the race (check its notes)
        // and the held-scalar code could go.
        var (implicitExit, implicitOutput) = RunRace("implicit", seconds: 15);
        Assert.True(implicitExit != 0, "TorchSharp's implicit scalars survived 15 s of forced GCs: " + implicitOutput);
        var (heldExit, heldOutput) = RunRace("held", seconds: 3);
        Assert.True(heldExit == 0, heldOutput);
        Assert.Contains("0 wrong sums", heldOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Held_batch_norm_matches_TorchSharps_in_training_and_evaluation()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var reference = nn.BatchNorm2d(6);
        using var held = new HeldBatchNorm2d(6);
        Assert.Equal(reference.state_dict().Keys.ToArray(), held.state_dict().Keys.ToArray());
        using (no_grad())
        {
            reference.weight.copy_(rand(6).Plus(0.5));
            reference.bias.copy_(randn(6));
            held.weight.copy_(reference.weight);
            held.bias.copy_(reference.bias);
        }

        for (var iteration = 0; iteration < 4; iteration++)
        {
            var input = randn(3, 6, 9, 7).Times(2.0).Plus(0.3);
            var expected = reference.forward(input);
            var actual = held.forward(input);
            Assert.True(Tensors.Same(expected, actual), $"training output differs at iteration {iteration}");
        }

        foreach (var (name, value) in reference.state_dict())
        {
            Assert.True(Tensors.Same(value, held.state_dict()[name]), $"{name} differs after training-mode updates");
        }

        reference.eval();
        held.eval();
        var probe = randn(2, 6, 5, 5);
        Assert.True(Tensors.Same(reference.forward(probe), held.forward(probe)), "evaluation output differs");
        Assert.Equal(4L, held.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void A_weight_file_written_with_TorchSharps_batch_norm_loads_into_the_held_one()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"held-bn-{Guid.NewGuid():N}.bin");
        try
        {
            manual_seed(5);
            using var written = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("bn", nn.BatchNorm2d(4)));
            written.forward(randn(2, 1, 8, 8));
            written.save(path);
            using var read = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("bn", new HeldBatchNorm2d(4)));
            read.load(path);
            foreach (var (name, value) in written.state_dict())
            {
                Assert.True(Tensors.Same(value, read.state_dict()[name]), name);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_UNet_variant_uses_the_held_batch_norm()
    {
        foreach (var variant in UNetArchitectures.All)
        {
            using var model = SegmentationModel.Create(variant, new UNetOptions { Depth = 2, BaseChannels = 4 }, ["A172", "BT474"]);
            var norms = model.Network.modules().Where(m => m is BatchNorm).ToArray();
            Assert.NotEmpty(norms);
            Assert.All(norms, m => Assert.IsType<HeldBatchNorm2d>(m));
        }
    }

    [Fact]
    public void No_TorchSharp_module_the_models_run_makes_an_unheld_scalar_in_its_forward()
    {
        // The IL audit follows direct calls; a module's forward is reached through virtual dispatch, so every
        // TorchSharp module type inside the real models is checked here against the audit's list.
        var audit = new ScalarTemporaryAudit(Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll"));
        var networks = UNetArchitectures.All
            .Select(v => (nn.Module)SegmentationModel.Create(v, new UNetOptions { Depth = 2, BaseChannels = 4 }, ["A172", "BT474"]).Network)
            .Append(new CellSeg.Models.CenterMask.CenterMaskModel(CellSeg.Models.Tests.CenterMask.TinyCenterMask.Config))
            .ToArray();
        try
        {
            var torchTypes = networks.SelectMany(n => n.modules().Prepend(n)).Select(m => m.GetType())
                .Where(t => t.Assembly == typeof(nn.Module).Assembly).Distinct().ToArray();
            Assert.Contains(typeof(Conv2d), torchTypes);
            var hazardous = torchTypes.Where(t => Hierarchy(t).Any(name => audit.HazardousTorchMembers.Any(m => m.StartsWith(name + "::forward(", StringComparison.Ordinal)))).ToArray();
            Assert.True(hazardous.Length == 0, "forward makes unheld scalars: " + string.Join(", ", hazardous.Select(t => t.Name)));
            Assert.Contains(audit.HazardousTorchMembers, m => m.StartsWith("TorchSharp.Modules.BatchNorm::forward(", StringComparison.Ordinal));   // the check has teeth
        }
        finally
        {
            foreach (var network in networks)
            {
                network.Dispose();
            }
        }

        static IEnumerable<string> Hierarchy(Type type)
        {
            for (var t = type; t is not null && t.Assembly == typeof(nn.Module).Assembly; t = t.BaseType)
            {
                var name = t.IsGenericType ? t.GetGenericTypeDefinition().FullName! : t.FullName!;
                yield return name.Replace('+', '/');
            }
        }
    }

    [Theory]
    [InlineData("adam", typeof(HeldOptimizers.Adam))]
    [InlineData("sgd", typeof(HeldOptimizers.SGD))]
    [InlineData("rmsprop", typeof(HeldOptimizers.RMSProp))]
    public void The_UNet_trainer_steps_with_held_optimisers(string optimizer, Type expected)
    {
        using var network = nn.Conv2d(1, 2, 3);
        using var created = UNetTrainer.CreateOptimizer(optimizer, 1e-3, 1e-4, 0.9, network);
        Assert.IsType(expected, created);
    }

    [Fact]
    public void The_CenterMask_solver_is_the_held_SGD()
    {
        using var network = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("bn", new HeldBatchNorm2d(2)));
        using var solver = SgdParameterGroups.CreateSgd(network, 0.01);
        Assert.IsType<HeldOptimizers.SGD>(solver);
    }

    public static TheoryData<string> Optimisers => ["adam", "adam+decay", "sgd", "sgd+momentum+decay", "sgd+nesterov+dampening", "rmsprop", "rmsprop+momentum+decay", "rmsprop+centered"];

    [Theory]
    [MemberData(nameof(Optimisers))]
    public void Held_optimisers_give_TorchSharps_parameters_bit_for_bit(string configuration)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var start = randn([16, 12], generator: generator);
        var gradients = Enumerable.Range(0, 6).Select(_ => randn([16, 12], generator: generator)).ToArray();
        var expected = Train(start, gradients, parameter => Reference(configuration, parameter), changeRateAt: 3);
        var actual = Train(start, gradients, parameter => Held(configuration, parameter), changeRateAt: 3);
        for (var step = 0; step < expected.Count; step++)
        {
            Assert.True(Tensors.Same(expected[step], actual[step]), $"{configuration}: parameters differ after step {step + 1}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Adam_checkpoints_move_between_TorchSharps_optimiser_and_the_held_one(bool writtenByTorchSharp)
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"held-adam-{Guid.NewGuid():N}.bin");
        try
        {
            var generator = new Generator(9);
            var start = randn([8, 8], generator: generator);
            var gradients = Enumerable.Range(0, 4).Select(_ => randn([8, 8], generator: generator)).ToArray();
            var straight = Train(start, gradients, p => optim.Adam([p], 0.01), changeRateAt: -1);

            var first = new Parameter(start.clone());
            using (var writer = writtenByTorchSharp ? optim.Adam([first], 0.01) : new HeldOptimizers.Adam([first], 0.01))
            {
                Step(writer, first, gradients[0]);
                Step(writer, first, gradients[1]);
                writer.save_state_dict(path);
            }

            using var resumed = writtenByTorchSharp ? new HeldOptimizers.Adam([first], 0.01) : optim.Adam([first], 0.01);
            resumed.load_state_dict(path);
            Step(resumed, first, gradients[2]);
            Step(resumed, first, gradients[3]);
            Assert.True(Tensors.Same(straight[^1], first.detach()), "resumed parameters differ from an uninterrupted run");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Held_layers_and_optimisers_give_the_same_numbers_during_a_GC_storm()
    {
        var quiet = TrainBatchNormNetwork(iterations: 40);
        using var storm = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!storm.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            var stormy = TrainBatchNormNetwork(iterations: 40);
            Assert.Equal(quiet, stormy);
        }
        finally
        {
            storm.Cancel();
            collector.Join();
        }
    }

    private static float[] TrainBatchNormNetwork(int iterations)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var network = nn.Sequential(
            ("conv1", nn.Conv2d(1, 4, 3, padding: 1, bias: false)), ("bn1", new HeldBatchNorm2d(4)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(4, 1, 1)));
        using var optimizer = new HeldOptimizers.Adam(network.parameters(), 1e-2);
        var generator = new Generator(4);
        var input = randn([2, 1, 16, 16], generator: generator);
        var target = rand([2, 1, 16, 16], generator: generator).Above(0.5).to(ScalarType.Float32);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(network.forward(input), target);
            loss.backward();
            optimizer.step();
        }

        return network.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
    }

    private static List<Tensor> Train(Tensor start, Tensor[] gradients, Func<Parameter, OptimizerHelper> create, int changeRateAt)
    {
        var parameter = new Parameter(start.clone());
        using var optimizer = create(parameter);
        var after = new List<Tensor>();
        for (var step = 0; step < gradients.Length; step++)
        {
            if (step == changeRateAt)
            {
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate *= 0.1;   // as the trainers' schedules do
                }
            }

            Step(optimizer, parameter, gradients[step]);
            after.Add(parameter.detach().clone());
        }

        return after;
    }

    private static void Step(OptimizerHelper optimizer, Parameter parameter, Tensor gradient)
    {
        optimizer.zero_grad();
        (parameter * gradient).sum().backward();
        optimizer.step();
    }

    private static OptimizerHelper Reference(string configuration, Parameter p) => configuration switch
    {
        "adam" => optim.Adam([p], 0.01),
        "adam+decay" => optim.Adam([p], 0.01, weight_decay: 1e-3),
        "sgd" => optim.SGD([p], 0.05),
        "sgd+momentum+decay" => optim.SGD([p], 0.05, momentum: 0.9, weight_decay: 1e-4),
        "sgd+nesterov+dampening" => optim.SGD([p], 0.05, momentum: 0.8, dampening: 0, nesterov: true),
        "rmsprop" => optim.RMSProp([p], 0.01),
        "rmsprop+momentum+decay" => optim.RMSProp([p], 0.01, momentum: 0.9, weight_decay: 1e-4),
        "rmsprop+centered" => optim.RMSProp([p], 0.01, centered: true),
        _ => throw new ArgumentOutOfRangeException(nameof(configuration)),
    };

    private static OptimizerHelper Held(string configuration, Parameter p) => configuration switch
    {
        "adam" => new HeldOptimizers.Adam([p], 0.01),
        "adam+decay" => new HeldOptimizers.Adam([p], 0.01, weightDecay: 1e-3),
        "sgd" => new HeldOptimizers.SGD([p], 0.05),
        "sgd+momentum+decay" => new HeldOptimizers.SGD([p], 0.05, momentum: 0.9, weightDecay: 1e-4),
        "sgd+nesterov+dampening" => new HeldOptimizers.SGD([p], 0.05, momentum: 0.8, dampening: 0, nesterov: true),
        "rmsprop" => new HeldOptimizers.RMSProp([p], 0.01),
        "rmsprop+momentum+decay" => new HeldOptimizers.RMSProp([p], 0.01, momentum: 0.9, weightDecay: 1e-4),
        "rmsprop+centered" => new HeldOptimizers.RMSProp([p], 0.01, centered: true),
        _ => throw new ArgumentOutOfRangeException(nameof(configuration)),
    };

    private static (int ExitCode, string Output) RunRace(string mode, int seconds)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "CellSeg.Models.TestTrainer.dll"), "scalar-race", mode, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(seconds + 60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scalar-race {mode} did not finish");
        }

        var output = stdout.Result + stderr.Result;
        return (process.ExitCode, output.Length > 2000 ? output[..2000] : output);
    }
}
