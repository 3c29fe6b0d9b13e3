using System.Diagnostics;
using Xunit.Abstractions;
namespace CellSeg.Synthesis.Tests;
public sealed class Diag(ITestOutputHelper output)
{
    [Fact]
    public async Task Dump()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var variants = new (string, SynthesisOptions, int)[]
        {
            ("warm", new SynthesisOptions(), 1000),
            ("default", new SynthesisOptions(), 1000),
            ("attempts5", new SynthesisOptions { MaxAttempts = 5 }, 1000),
            ("rot90", new SynthesisOptions { ArbitraryRotation = false }, 1000),
            ("d600", new SynthesisOptions(), 600),
            ("d300", new SynthesisOptions(), 300),
            ("d100", new SynthesisOptions(), 100),
            ("d0", new SynthesisOptions(), 0),
            ("default", new SynthesisOptions(), 1000),
        };
        foreach (var (name, o, d) in variants)
        {
            var composer = new ImageComposer();
            ComposedImage? img = null;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var placed = 0;
            for (var i = 0; i < 28; i++) { img = composer.Compose(bank, bank.CellTypes[i % 7], d, o, (ulong)i, img); placed += img.Placements.Count; }
            output.WriteLine($"{name}: cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / 28:F2} ms placed {placed / 28}");
        }
    }
}
