namespace CellSeg.Models.Runtime;

/// <summary>What the torch runtime set-up decided and did, for <c>doctor</c>, logs and messages.</summary>
/// <param name="Cpu">This processor.</param>
/// <param name="Mode">The kernel mode in force.</param>
/// <param name="Decision">Why the kernels are what they are, in one sentence.</param>
/// <param name="Variables">Native environment variables set for libtorch (name → value).</param>
/// <param name="TorchLoadedFirst">True when libtorch was already loaded before the set-up ran, so variables could not take effect.</param>
public sealed record TorchRuntimeSetup(CpuInfo Cpu, KernelMode Mode, string Decision, IReadOnlyDictionary<string, string> Variables, bool TorchLoadedFirst);
