namespace CellSeg.Models.Runtime;

/// <summary>
/// The torch kernels of this machine compute wrong numbers: training would produce garbage, so it does not
/// start (or stops). The message names the CPU, the operation, the size of the error and what to do.
/// </summary>
public sealed class TorchBackendException(string message, KernelCheckReport report) : Exception(message)
{
    /// <summary>The self-check that failed.</summary>
    public KernelCheckReport Report { get; } = report;
}
