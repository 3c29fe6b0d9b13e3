using System.Globalization;

namespace CellSeg.Models.Bench.CenterMask;

/// <summary>Options of the <c>centermask</c> mode (the Python script takes the same names).</summary>
internal sealed record CenterMaskBenchArgs(int Threads, int Batch, int Steps, int Warmup, int Infer, int RoiRepeat, string Python, bool PyTorch, bool RoiOnly, int Profile = 0)
{
    public static CenterMaskBenchArgs Parse(string[] args)
    {
        var a = new CenterMaskBenchArgs(2, 2, 3, 1, 2, 3, "/usr/bin/python3", true, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            a = args[i] switch
            {
                "--threads" => a with { Threads = Int() },
                "--batch" => a with { Batch = Int() },
                "--steps" => a with { Steps = Int() },
                "--warmup" => a with { Warmup = Int() },
                "--infer" => a with { Infer = Int() },
                "--roi-repeat" => a with { RoiRepeat = Int() },
                "--python" => a with { Python = Next() },
                "--no-pytorch" => a with { PyTorch = false },
                "--roi-only" => a with { RoiOnly = true },
                "--profile" => a with { Profile = Int() },
                _ => throw new ArgumentException("unknown option " + args[i]),
            };
        }

        return a.Steps < 1 || a.Infer < 1 || a.RoiRepeat < 1 || a.Batch < 1 ? throw new ArgumentException("--steps, --infer, --roi-repeat and --batch must be at least 1") : a;
    }
}
