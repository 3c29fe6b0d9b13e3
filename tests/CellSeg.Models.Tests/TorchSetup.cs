using System.Runtime.CompilerServices;

namespace CellSeg.Models.Tests;

/// <summary>The torch runtime set-up every entry point passes through, before any test touches a tensor.</summary>
internal static class TorchSetup
{
    [ModuleInitializer]
    internal static void Initialize() => CellSeg.Models.Runtime.TorchRuntime.Initialize();
}
