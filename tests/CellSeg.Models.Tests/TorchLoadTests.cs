using TorchSharp;

namespace CellSeg.Models.Tests;

public class TorchLoadTests
{
    [Fact]
    public void TorchSharp_native_library_loads_and_computes()
    {
        using var a = torch.ones(2, 3);
        using var b = a.sum();
        Assert.Equal(6f, b.item<float>());
        Assert.Equal("cpu", TorchDevices.BuildBackend);
        Assert.Equal(DeviceType.CPU, TorchDevices.Resolve("auto").type);
    }

    [Fact]
    public void The_native_library_in_the_output_is_patched_exactly_when_the_system_libstdcxx_needs_it()
    {
        var libstdcxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        var systemHasIt = File.Exists(libstdcxx) && System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(libstdcxx)).Contains("GLIBCXX_3.4.32");
        var dir = AppContext.BaseDirectory;
        Assert.True(File.Exists(Path.Combine(dir, "libLibTorchSharp.so")), "only this runtime's natives, in the output root");
        Assert.False(Directory.Exists(Path.Combine(dir, "runtimes", "win-x64")), "no other OS's natives in the output");
        Assert.Equal(!systemHasIt, File.Exists(Path.Combine(dir, "libLibTorchSharp.so.glibcxx-patched")));
        Assert.Equal(!systemHasIt, File.Exists(Path.Combine(dir, "libcellseg_iosinit.so")));
    }

    [Fact]
    public void Asking_for_cuda_without_it_names_the_build_property()
    {
        if (torch.cuda.is_available())
        {
            return;
        }

        var e = Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("cuda"));
        Assert.Contains("TorchBackend=cuda", e.Message);
        Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("tpu"));
    }

    [Fact]
    public void A_tensor_made_from_an_array_owns_a_copy_so_the_trainer_may_reuse_the_array()
    {
        var data = new float[] { 1, 2, 3, 4 };
        using var t = torch.tensor(data, [2, 2]);
        data[0] = 42;
        Assert.Equal(1f, t[0, 0].item<float>());
    }
}
