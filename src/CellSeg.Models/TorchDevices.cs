using CellSeg.Models.Runtime;
using TorchSharp;

namespace CellSeg.Models;

/// <summary>Device and thread choices for TorchSharp, made at run time.</summary>
public static class TorchDevices
{
    /// <summary>
    /// The device for a name: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or <c>auto</c> (CUDA when this build
    /// and machine have it, else CPU). A CUDA device needs the CUDA build (<c>-p:TorchBackend=cuda</c>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name, or CUDA asked for where it is not available.</exception>
    public static torch.Device Resolve(string? device)
    {
        TorchRuntime.Initialize();
        var name = string.IsNullOrWhiteSpace(device) ? "cpu" : device.Trim().ToLowerInvariant();
        if (name == "auto")
        {
            return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        }

        if (name == "cpu")
        {
            return torch.CPU;
        }

        if (name == "cuda" || name.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
            {
                throw new ArgumentException($"device '{device}': CUDA is not available (this build uses TorchBackend={BuildBackend}; build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or use 'cpu')");
            }

            return torch.device(name);
        }

        throw new ArgumentException($"device '{device}': expected cpu, cuda, cuda:N or auto");
    }

    /// <summary>
    /// Sets torch's intra-op threads (default: all processors). Call it on the thread that runs the model:
    /// OpenMP keeps the setting per calling thread.
    /// </summary>
    public static void SetThreads(int? threads)
    {
        TorchRuntime.Initialize();
        torch.set_num_threads(threads is > 0 ? threads.Value : Environment.ProcessorCount);
    }

    /// <summary>The TorchSharp backend this assembly was built against (cpu or cuda).</summary>
    public static string BuildBackend =>
        typeof(TorchDevices).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";
}
