using CellSegFlows.Cli.Commands;

namespace CellSegFlows.Cli.Tests;

/// <summary>--gpus N against a fake device count (there is no GPU here), and the options it reaches the engine with.</summary>
public class GpuDevicesTests
{
    [Fact]
    public void Gpus_with_cuda_takes_the_first_n_devices_torch_sees()
    {
        Assert.Equal(["cuda:0", "cuda:1", "cuda:2"], GpuDeviceList.Resolve("cuda", 3, () => 4));
        Assert.Equal(["cuda:0"], GpuDeviceList.Resolve("cuda", 1, () => 1));
    }

    [Fact]
    public void Gpus_without_the_option_leaves_the_device_alone_and_never_asks_for_the_count()
    {
        Assert.Null(GpuDeviceList.Resolve("cuda", null, () => throw new InvalidOperationException("asked")));
        Assert.Null(GpuDeviceList.Resolve("cpu", null, () => throw new InvalidOperationException("asked")));
    }

    [Fact]
    public void Gpus_on_the_cpu_runs_that_many_gpu_queue_steps_at_once_on_it()
    {
        Assert.Equal(["cpu", "cpu"], GpuDeviceList.Resolve("cpu", 2, () => throw new InvalidOperationException("asked")));
    }

    [Fact]
    public void Gpus_refuses_more_gpus_than_there_are_a_count_below_one_and_several_with_a_named_device()
    {
        Assert.Contains("TorchSharp sees 2 CUDA device(s)", Assert.Throws<UserInputException>(() => GpuDeviceList.Resolve("cuda", 3, () => 2)).Message);
        Assert.Contains("--gpus 0: give 1 or more", Assert.Throws<UserInputException>(() => GpuDeviceList.Resolve("cuda", 0, () => 2)).Message);
        Assert.Contains("--device cuda:1", Assert.Throws<UserInputException>(() => GpuDeviceList.Resolve("cuda:1", 2, () => 4)).Message);
        Assert.Equal(["cuda:1"], GpuDeviceList.Resolve("cuda:1", 1, () => 4));
    }

    [Fact]
    public void Doctor_lists_the_devices_by_name()
    {
        Assert.Equal(["cpu"], GpuDeviceList.Available(0));
        Assert.Equal(["cpu", "cuda:0", "cuda:1"], GpuDeviceList.Available(2));
    }

    [Fact]
    public async Task Worker_refuses_gpus_on_this_machine_without_cuda_in_one_line()
    {
        var home = CellSegFlows.Testing.TestPaths.NewTempFolder();
        var (code, output, errors) = await CliRunner.RunSplitAsync("worker", "--home", home, "--device", "cpu", "--gpus", "0");
        Assert.Equal(CliApp.UserError, code);
        Assert.Contains("--gpus 0: give 1 or more", errors + output);
    }
}
