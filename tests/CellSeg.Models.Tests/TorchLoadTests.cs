using CellSeg.Models.Runtime;
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
    public void The_native_library_in_the_output_has_its_glibcxx_3_4_32_need_marked_weak_and_needs_no_shim()
    {
        var dir = AppContext.BaseDirectory;
        var library = Path.Combine(dir, "libLibTorchSharp.so");
        Assert.True(File.Exists(library), "only this runtime's natives, in the output root");
        Assert.False(Directory.Exists(Path.Combine(dir, "runtimes", "win-x64")), "no other OS's natives in the output");

        // The package's own copy asks for GLIBCXX_3.4.32 (GCC 13); the build's copy asks for it weakly, and
        // nothing else changed: same size, every other need as shipped, no helper library beside it.
        var packaged = Path.Combine(NuGetRoot(), "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var shipped = ElfVersionNeeds.Read(packaged);
        var built = ElfVersionNeeds.Read(library);
        Assert.Contains(shipped, n => n is { Library: "libstdc++.so.6", Version: "GLIBCXX_3.4.32", Weak: false });
        Assert.Contains(built, n => n is { Library: "libstdc++.so.6", Version: "GLIBCXX_3.4.32", Weak: true });
        Assert.Equal(shipped.Where(n => n.Version != "GLIBCXX_3.4.32"), built.Where(n => n.Version != "GLIBCXX_3.4.32"));
        Assert.Equal(new FileInfo(packaged).Length, new FileInfo(library).Length);
        var differing = File.ReadAllBytes(packaged).Zip(File.ReadAllBytes(library)).Count(p => p.First != p.Second);
        Assert.Equal(1, differing);   // one flag byte
        Assert.False(File.Exists(Path.Combine(dir, "libcellseg_iosinit.so")));

        // It is the copy this process loaded, and it loaded on this machine's libstdc++.
        Assert.Equal(library, TorchMachineReport.LoadedLibrary("libLibTorchSharp.so"));
        Assert.StartsWith("applied", TorchMachineReport.Collect().LibstdcxxPatch);
    }

    [Fact]
    public void A_file_that_is_no_elf_library_is_named_in_the_error()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "not-a-library.so");
        File.WriteAllText(path, "just text, long enough to pass the length check of an ELF header: 64 bytes or more of it");
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(path));
        Assert.Equal($"{path}: not a little-endian ELF64 file", e.Message);
    }

    private static string NuGetRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

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
