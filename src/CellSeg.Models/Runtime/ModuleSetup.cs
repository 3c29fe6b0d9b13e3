using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CellSeg.Models.Runtime;

/// <summary>Runs <see cref="TorchRuntime.Prepare"/> when this assembly loads, for hosts that call nothing else first.</summary>
internal static class ModuleSetup
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The native variables must be set before any code of this library can load libtorch; Prepare calls no torch code.")]
    internal static void PrepareTorch()
    {
        try
        {
            TorchRuntime.Prepare();
        }
        catch (ArgumentException)
        {
            // A bad CELLSEGFLOWS_CPU_KERNELS: nothing is decided yet, and the entry point's own call reports it.
        }
    }
}
