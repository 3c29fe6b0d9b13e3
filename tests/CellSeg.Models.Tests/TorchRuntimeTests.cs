using CellSeg.Data;
using CellSeg.Models.Data;
using CellSeg.Models.Networks;
using CellSeg.Models.Runtime;
using CellSeg.Models.Training;
using TorchSharp;

namespace CellSeg.Models.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void The_self_check_passes_here_and_covers_every_layer_the_models_train_with()
    {
        torch.set_num_threads(2);
        var report = TorchRuntime.RunSelfCheck();

        Assert.True(report.Passed, TorchRuntime.Explain(report));
        Assert.True(report.Repeatable, "float32 repeats at a fixed thread count are bit-identical");
        Assert.Equal(2, report.Threads);
        foreach (var layer in new[] { "conv2d 3×3", "conv2d 1×1", "depthwise conv2d", "conv_transpose2d", "batch_norm", "group_norm", "max_pool2d", "bilinear upsampling", "nearest upsampling", "hardsigmoid", "linear", "BCE with logits", "exp, log, sqrt", "Adam", "SGD with momentum", "tiny U-Net" })
        {
            Assert.Contains(report.Checks, c => c.Operation.StartsWith(layer, StringComparison.Ordinal) || c.Operation.Contains(layer, StringComparison.Ordinal));
        }

        Assert.Contains(report.Checks, c => c.Operation.Contains("backward (weight gradient)", StringComparison.Ordinal));
        Assert.All(report.Checks, c => Assert.InRange(c.Error, 0, c.Limit / 10));   // healthy float32 is far inside the limit
    }

    [Fact]
    public void A_corrupted_kernel_result_fails_the_check_naming_the_cpu_the_operation_the_error_and_what_to_do()
    {
        const string target = "conv2d 3×3, 8→16 channels backward (weight gradient)";
        try
        {
            NumericSelfCheck.FaultInjection = (operation, value) => operation == target ? Corrupt(value) : value;
            var report = TorchRuntime.RunSelfCheck();

            Assert.False(report.Passed);
            Assert.Equal(target, report.WorstFailure!.Operation);
            Assert.True(double.IsNaN(report.WorstFailure.Error));
            Assert.Single(report.Checks, c => !c.Passed);
            var message = TorchRuntime.Explain(report);
            Assert.Contains(CpuInfo.Current.Brand, message);
            Assert.Contains($"family {CpuInfo.Current.Family}", message);
            Assert.Contains(target, message);
            Assert.Contains("by NaN", message);
            Assert.Contains("CELLSEGFLOWS_CPU_KERNELS=avx2", message);
            Assert.Contains("cellsegflows doctor", message);
            Assert.DoesNotContain("learning rate", message);
        }
        finally
        {
            NumericSelfCheck.FaultInjection = null;
        }
    }

    [Fact]
    public async Task A_wrong_kernel_stops_training_before_its_first_iteration_with_the_backend_error()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(1).ToList());
        var folder = TestPaths.NewTempFolder();
        var events = new List<TrainProgress>();
        try
        {
            TorchRuntime.ForgetChecks();
            NumericSelfCheck.FaultInjection = (operation, value) => operation.StartsWith("batch_norm", StringComparison.Ordinal) ? value * 1.01f : value;
            var options = TinyTraining.Options(data, null, Path.Combine(folder, "never.model")) with { IterationsPerEpoch = 2, Optimizer = "adam" };
            var e = await Assert.ThrowsAsync<TorchBackendException>(() => UNetTrainer.TrainAsync(options, new SyncProgress<TrainProgress>(events.Add)));

            Assert.Contains("batch_norm (training)", e.Message);
            Assert.Contains("differs from float64 by 1e-2", e.Message);
            Assert.DoesNotContain("learning rate", e.Message);
            Assert.False(e.Report.Passed);
            Assert.DoesNotContain(events, p => p.Event == TrainEvent.Iteration);
            Assert.False(File.Exists(Path.Combine(folder, "never.model")));
        }
        finally
        {
            NumericSelfCheck.FaultInjection = null;
            TorchRuntime.ForgetChecks();
        }
    }

    [Fact]
    public void When_only_onednn_kernels_are_wrong_the_auto_mode_switches_onednn_off_and_passes()
    {
        Assert.Equal(KernelMode.Auto, TorchRuntime.Setup.Mode);
        Assert.True(TorchRuntime.OneDnnEnabled);
        try
        {
            TorchRuntime.ForgetChecks();
            NumericSelfCheck.FaultInjection = (operation, value) =>
                TorchRuntime.OneDnnEnabled == true && operation.StartsWith("conv_transpose2d", StringComparison.Ordinal) ? value + 1 : value;

            var report = TorchRuntime.EnsureKernelsCorrect();

            Assert.True(report.Passed);
            Assert.False(report.OneDnn);
            Assert.False(TorchRuntime.OneDnnEnabled);
            Assert.Contains("oneDNN switched off", TorchRuntime.Fallback);
            Assert.Contains("conv_transpose2d", TorchRuntime.Fallback);
            Assert.Same(report, TorchRuntime.EnsureKernelsCorrect());   // once per thread count
        }
        finally
        {
            NumericSelfCheck.FaultInjection = null;
            TorchRuntimeTestState.RestoreOneDnn();
        }
    }

    [Fact]
    public void Diverged_training_is_blamed_on_the_kernels_only_when_they_fail_the_check_again()
    {
        TorchRuntime.RecheckAfterDivergence("training diverged at step 3 (the loss is NaN)");   // healthy: returns
        try
        {
            NumericSelfCheck.FaultInjection = (operation, value) => operation.StartsWith("Adam", StringComparison.Ordinal) ? value * float.NaN : value;
            var e = Assert.Throws<TorchBackendException>(() => TorchRuntime.RecheckAfterDivergence("training diverged at step 3 (the loss is NaN)"));
            Assert.StartsWith("training diverged at step 3 (the loss is NaN), and the torch kernels fail the numeric self-check now", e.Message);
            Assert.Contains("Adam step 1 (parameters)", e.Message);
        }
        finally
        {
            NumericSelfCheck.FaultInjection = null;
        }
    }

    [Fact]
    public void The_onednn_switch_reaches_libtorch_and_reads_back()
    {
        try
        {
            LibTorchContext.OneDnnEnabled = false;
            Assert.False(TorchRuntime.OneDnnEnabled);
            Assert.False(TorchRuntime.RunSelfCheck(repeats: 1).OneDnn);
            LibTorchContext.OneDnnEnabled = true;
            Assert.True(TorchRuntime.OneDnnEnabled);
            Assert.StartsWith("Intel(R) oneAPI Math Kernel Library Version 2024.2", TorchRuntime.MklVersion);
        }
        finally
        {
            TorchRuntimeTestState.RestoreOneDnn();
        }
    }

    [Fact]
    public void Cpu_identity_matches_what_the_kernel_reports_in_proc_cpuinfo()
    {
        var cpu = CpuInfo.Current;
        var fields = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0)
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        Assert.Equal(fields["vendor_id"], cpu.Vendor);
        Assert.Equal(int.Parse(fields["cpu family"]), cpu.Family);
        Assert.Equal(int.Parse(fields["model"]), cpu.Model);
        var flags = fields["flags"].Split(' ').ToHashSet();
        foreach (var (ours, kernels) in new[] { ("avx2", "avx2"), ("avx512f", "avx512f"), ("avx512bw", "avx512bw"), ("avx512_vnni", "avx512_vnni"), ("avx512_bf16", "avx512_bf16"), ("amx_tile", "amx_tile") })
        {
            Assert.Equal(flags.Contains(kernels), cpu.Extensions.Contains(ours));
        }
    }

    [Fact]
    public void Only_zen5_is_known_to_need_the_avx2_cap()
    {
        string[] avx512 = ["avx2", "avx512f", "avx512bw"];
        Assert.NotNull(TorchRuntime.KnownIssue(new CpuInfo("AuthenticAMD", 26, 2, "AMD EPYC 9B45", avx512)));
        Assert.Null(TorchRuntime.KnownIssue(new CpuInfo("AuthenticAMD", 26, 2, "AMD EPYC (AVX-512 masked off)", ["avx2"])));
        Assert.Null(TorchRuntime.KnownIssue(new CpuInfo("AuthenticAMD", 25, 17, "AMD EPYC 9R14 (Zen 4)", avx512)));
        Assert.Null(TorchRuntime.KnownIssue(new CpuInfo("GenuineIntel", 6, 143, "Intel Xeon Platinum 8481C", avx512)));
    }

    [Theory]
    [InlineData(null, KernelMode.Auto)]
    [InlineData("", KernelMode.Auto)]
    [InlineData(" AUTO ", KernelMode.Auto)]
    [InlineData("fast", KernelMode.Fast)]
    [InlineData("avx2", KernelMode.Avx2)]
    [InlineData("aten", KernelMode.Aten)]
    public void The_kernel_mode_is_read_from_its_variable(string? value, KernelMode expected) =>
        Assert.Equal(expected, TorchRuntime.ParseMode(value));

    [Fact]
    public void An_unknown_kernel_mode_names_the_variable_and_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ParseMode("avx-512"));
        Assert.Equal("CELLSEGFLOWS_CPU_KERNELS='avx-512': expected auto, fast, avx2 or aten", e.Message);
    }

    [Fact]
    public async Task A_seeded_run_at_two_threads_gives_bit_identical_weights_every_time()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(2).ToList());
        var folder = TestPaths.NewTempFolder();
        TrainOptions Options(string name) => TinyTraining.Options(data, null, Path.Combine(folder, name)) with
        {
            Threads = 2, IterationsPerEpoch = 12, Optimizer = "adam", Shape = new UNetOptions { Depth = 2, BaseChannels = 8 },
        };

        var first = await UNetTrainer.TrainAsync(Options("a.model"));
        var second = await UNetTrainer.TrainAsync(Options("b.model"));
        using var a = SegmentationModel.Load(first.ModelPath);
        using var b = SegmentationModel.Load(second.ModelPath);
        Assert.True(UNetArchitectureTests.WeightsEqual(a.Network, b.Network, 0), "same seed, same threads: the same bits");
        Assert.Equal(first.History[^1].MeanLoss, second.History[^1].MeanLoss);
    }

    private static torch.Tensor Corrupt(torch.Tensor value)
    {
        var copy = value.clone();
        copy.view(-1)[3] = torch.tensor(float.NaN, copy.dtype);
        return copy;
    }
}

/// <summary>Puts the process-wide oneDNN switch and the cached checks back for the next test.</summary>
internal static class TorchRuntimeTestState
{
    public static void RestoreOneDnn()
    {
        LibTorchContext.OneDnnEnabled = true;
        TorchRuntime.ForgetChecks();
    }
}
