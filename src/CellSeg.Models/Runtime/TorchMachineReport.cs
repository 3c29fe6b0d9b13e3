using TorchSharp;

namespace CellSeg.Models.Runtime;

/// <summary>This machine as torch sees it: what <c>cellsegflows doctor</c> prints above the self-check.</summary>
/// <param name="Setup">The runtime set-up's decision.</param>
/// <param name="LibTorch">libtorch's version.</param>
/// <param name="TorchSharp">TorchSharp's assembly version.</param>
/// <param name="Backend">The TorchSharp backend this build uses (cpu or cuda).</param>
/// <param name="Mkl">The bundled oneMKL's version string.</param>
/// <param name="OneDnnEnabled">Whether oneDNN kernels are on now.</param>
/// <param name="Threads">torch's intra-op threads on the calling thread.</param>
/// <param name="InteropThreads">torch's inter-op threads.</param>
/// <param name="Processors">Logical processors .NET sees.</param>
/// <param name="CudaDevices">CUDA devices torch sees (0 on the CPU build).</param>
/// <param name="NativeLibrary">The loaded libLibTorchSharp.so.</param>
/// <param name="LibstdcxxPatch">Whether the GLIBCXX_3.4.32 need of that library is marked weak, and whether it has to be.</param>
/// <param name="Fallback">Set when the self-check switched oneDNN off in this process.</param>
public sealed record TorchMachineReport(
    TorchRuntimeSetup Setup, string LibTorch, string TorchSharp, string Backend, string? Mkl, bool? OneDnnEnabled,
    int Threads, int InteropThreads, int Processors, int CudaDevices, string? NativeLibrary, string LibstdcxxPatch, string? Fallback)
{
    /// <summary>Gathers the report (initialising the runtime).</summary>
    public static TorchMachineReport Collect()
    {
        var setup = TorchRuntime.Initialize();
        var native = LoadedLibrary("libLibTorchSharp.so");
        return new TorchMachineReport(
            setup, torch.__version__, typeof(torch).Assembly.GetName().Version?.ToString() ?? "?", TorchDevices.BuildBackend,
            TorchRuntime.MklVersion, TorchRuntime.OneDnnEnabled, torch.get_num_threads(), torch.get_num_interop_threads(),
            Environment.ProcessorCount, torch.cuda.is_available() ? torch.cuda.device_count() : 0, native, PatchState(native),
            TorchRuntime.Fallback);
    }

    private static string PatchState(string? library)
    {
        if (library is null || !OperatingSystem.IsLinux())
        {
            return "not applicable (libLibTorchSharp.so not loaded from a file)";
        }

        var systemHasIt = SystemLibstdcxxHas("GLIBCXX_3.4.32");
        var need = ElfVersionNeeds.Read(library).FirstOrDefault(n => n.Version == "GLIBCXX_3.4.32");
        return need switch
        {
            null => "not needed (the library asks for no GLIBCXX_3.4.32)",
            { Weak: true } => $"applied: GLIBCXX_3.4.32 need marked weak ({(systemHasIt ? "the system libstdc++ has it anyway" : "the system libstdc++ lacks it, so the library loads only because of the patch")})",
            _ => systemHasIt ? "not applied (the system libstdc++ has GLIBCXX_3.4.32)" : "NOT applied, and the system libstdc++ lacks GLIBCXX_3.4.32",
        };
    }

    /// <summary>True when the system libstdc++ defines <paramref name="version"/>.</summary>
    internal static bool SystemLibstdcxxHas(string version)
    {
        var path = LoadedLibrary("libstdc++.so.6") ?? "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        return File.Exists(path) && System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path)).Contains(version + "\0", StringComparison.Ordinal);
    }

    /// <summary>The path of a loaded shared library by file name, from /proc/self/maps.</summary>
    internal static string? LoadedLibrary(string fileName)
    {
        if (!File.Exists("/proc/self/maps"))
        {
            return null;
        }

        return File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? line[i..] : null)
            .FirstOrDefault(path => path is not null && Path.GetFileName(path) == fileName);
    }
}
