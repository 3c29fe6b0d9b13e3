using System.Diagnostics;
using CellSeg.Models.Runtime;

namespace CellSegFlows.Cli.Tests;

public class DoctorCommandTests
{
    [Fact]
    public async Task Doctor_prints_the_machine_as_torch_sees_it_and_passes_the_self_check()
    {
        var (code, output) = await CliRunner.RunAsync("doctor", "--threads", "2");

        Assert.Equal(0, code);
        Assert.Contains(CpuInfo.Current.Brand, output);
        Assert.Contains($"family {CpuInfo.Current.Family}", output);
        Assert.Contains("libtorch          2.10.0", output);
        Assert.Contains("Intel(R) oneAPI Math Kernel Library Version 2024.2", output);
        Assert.Contains("2 intra-op", output);
        Assert.Contains("cuda              no device", output);
        Assert.Contains("libstdc++ patch   applied: GLIBCXX_3.4.32 need marked weak", output);
        Assert.Contains("self-check passed: 69 of 69 checks passed", output);
        Assert.Contains("float32 repeats bit-identical", output);
    }

    [Fact]
    public async Task Doctor_refuses_out_of_range_options_in_one_line()
    {
        var (code, output) = await CliRunner.RunAsync("doctor", "--repeats", "0");
        Assert.Equal(CliApp.UserError, code);
        Assert.Equal("error: --repeats 0: expected 1 to 100", output.Trim());
    }

    [Fact]
    public async Task The_avx2_mode_reaches_onednn_before_libtorch_loads()
    {
        // A child process: the cap must be in the C environment before oneDNN first asks for its ISA.
        var (code, output) = await RunCliProcessAsync(new() { ["CELLSEGFLOWS_CPU_KERNELS"] = "avx2", ["ONEDNN_VERBOSE"] = "1" }, "doctor", "--repeats", "1");

        Assert.Equal(0, code);
        Assert.Contains("onednn_verbose,v1,info,cpu,isa:Intel AVX2", output);
        Assert.Contains("native variables  DNNL_MAX_CPU_ISA=AVX2, MKL_ENABLE_INSTRUCTIONS=AVX2", output);
        Assert.Contains("oneDNN and oneMKL capped at AVX2 (CELLSEGFLOWS_CPU_KERNELS=avx2)", output);
        Assert.Contains("self-check passed", output);
    }

    [Fact]
    public async Task The_aten_mode_runs_the_self_check_with_onednn_off()
    {
        var (code, output) = await RunCliProcessAsync(new() { ["CELLSEGFLOWS_CPU_KERNELS"] = "aten" }, "doctor", "--repeats", "1");

        Assert.Equal(0, code);
        Assert.Contains("oneDNN            off", output);
        Assert.Contains($"({Environment.ProcessorCount} threads, oneDNN off)", output);
    }

    [Fact]
    public async Task An_unknown_kernel_mode_is_one_line_and_exit_2()
    {
        var (code, output) = await RunCliProcessAsync(new() { ["CELLSEGFLOWS_CPU_KERNELS"] = "avx-512" }, "doctor");

        Assert.Equal(CliApp.UserError, code);
        Assert.Equal("error: CELLSEGFLOWS_CPU_KERNELS='avx-512': expected auto, fast, avx2 or aten", output.Trim());
    }

    /// <summary>Runs the built <c>cellsegflows</c> beside the tests in a child process with extra variables.</summary>
    internal static async Task<(int ExitCode, string Output)> RunCliProcessAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "cellsegflows"), args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(2));
    }
}
