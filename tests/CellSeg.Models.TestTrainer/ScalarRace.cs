using System.Runtime.InteropServices;
using CellSeg.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>scalar-race implicit|held SECONDS</c>: adds 1 to a tensor a million times a second while a second thread forces
/// GCs and waits for finalizers, then checks the sum. With TorchSharp's implicit scalars (<c>add_(1)</c>) a
/// finalizer frees a scalar libtorch is still reading; with held ones nothing can. Prints one result line;
/// exit 0 when every sum was right, 3 when TorchSharp reported an error or a sum was wrong.
/// </summary>
internal static class ScalarRace
{
    public static int Run(string mode, int seconds)
    {
        torch.set_num_threads(1);
        var held = mode == "held";
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (DateTime.UtcNow < deadline)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true };
        collector.Start();
        using var sum = zeros(1, dtype: ScalarType.Float64);
        long calls = 0;
        long wrong = 0;
        var expected = 0.0;
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                for (var i = 0; i < 1000; i++)
                {
                    if (held)
                    {
                        sum.add_(Scalars.One, Scalars.One);
                    }
                    else
                    {
                        sum.add_(1);
                    }
                }

                calls += 1000;
                expected += 1000;
                if (sum.item<double>() != expected)
                {
                    wrong++;
                    expected = sum.item<double>();
                }
            }
        }
        catch (ExternalException error)
        {
            Console.Out.WriteLine($"{mode}: libtorch failed after {calls} calls and {collections} GCs: {error.Message.Split('\n')[0]}");
            return 3;
        }

        collector.Join();
        Console.Out.WriteLine($"{mode}: {calls} calls, {collections} GCs, {wrong} wrong sums");
        return wrong == 0 ? 0 : 3;
    }
}
