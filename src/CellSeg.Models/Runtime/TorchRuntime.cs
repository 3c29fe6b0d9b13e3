using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Runtime;

/// <summary>
/// The one torch set-up every entry point passes through before its first tensor (CLI, server, worker,
/// tests, benches; <see cref="CellSeg.Models"/>' module initializer does the first half for any other host):
/// <list type="number">
/// <item><see cref="Prepare"/>, before libtorch loads: picks the kernel mode and, on a CPU known to get
/// oneDNN's AVX-512 kernels wrong, caps oneDNN and oneMKL at AVX2 through the C environment they read.</item>
/// <item><see cref="Initialize"/>: loads libtorch, resolves every oneMKL VML function once on one thread
/// (pytorch/pytorch#188792: concurrent first calls can run a low-accuracy kernel).</item>
/// <item><see cref="EnsureKernelsCorrect"/>, before training: the numeric self-check, once per thread count;
/// in <see cref="KernelMode.Auto"/> a failure with oneDNN switches oneDNN off and checks again; a failure
/// without it stops with <see cref="TorchBackendException"/>.</item>
/// </list>
/// </summary>
public static class TorchRuntime
{
    /// <summary>The environment variable that chooses the <see cref="KernelMode"/>: auto (default), fast, avx2, aten.</summary>
    public const string ModeVariable = "CELLSEGFLOWS_CPU_KERNELS";

    private static readonly object Gate = new();
    private static readonly Dictionary<int, KernelCheckReport> Verified = [];
    private static TorchRuntimeSetup? prepared;
    private static bool initialized;
    private static string? fallbackNote;

    /// <summary>What <see cref="Prepare"/> decided (preparing first if needed).</summary>
    public static TorchRuntimeSetup Setup => Prepare();

    /// <summary>Set when the self-check made the runtime switch oneDNN off in this process (why, in one sentence).</summary>
    public static string? Fallback
    {
        get
        {
            lock (Gate)
            {
                return fallbackNote;
            }
        }
    }

    /// <summary>
    /// Chooses the kernel mode and writes the native variables libtorch will read. Calls no torch code;
    /// idempotent and thread-safe. Throws <see cref="ArgumentException"/> for an unknown mode.
    /// </summary>
    public static TorchRuntimeSetup Prepare()
    {
        lock (Gate)
        {
            if (prepared is not null)
            {
                return prepared;
            }

            var loadedFirst = TorchMachineReport.LoadedLibrary("libtorch_cpu.so") is not null;
            var cpu = CpuInfo.Current;
            var mode = ParseMode(NativeEnvironment.Get(ModeVariable));
            var variables = new Dictionary<string, string>();
            string decision;
            var userCap = NativeEnvironment.Get("DNNL_MAX_CPU_ISA") ?? NativeEnvironment.Get("ONEDNN_MAX_CPU_ISA");
            var knownIssue = KnownIssue(cpu);
            if (mode == KernelMode.Aten)
            {
                decision = "oneDNN off: ATen's own kernels (CELLSEGFLOWS_CPU_KERNELS=aten)";
            }
            else if (userCap is not null)
            {
                decision = $"oneDNN ISA capped by the user's DNNL_MAX_CPU_ISA={userCap}";
            }
            else if (mode == KernelMode.Avx2 || (mode == KernelMode.Auto && knownIssue is not null))
            {
                variables["DNNL_MAX_CPU_ISA"] = "AVX2";
                if (NativeEnvironment.Get("MKL_ENABLE_INSTRUCTIONS") is null)
                {
                    variables["MKL_ENABLE_INSTRUCTIONS"] = "AVX2";
                }

                decision = mode == KernelMode.Avx2
                    ? "oneDNN and oneMKL capped at AVX2 (CELLSEGFLOWS_CPU_KERNELS=avx2)"
                    : $"oneDNN and oneMKL capped at AVX2: {knownIssue}";
            }
            else
            {
                decision = mode == KernelMode.Fast
                    ? "fastest kernels, no fallback (CELLSEGFLOWS_CPU_KERNELS=fast)"
                    : "fastest kernels the CPU has (no known issue for this CPU; the self-check guards training)";
            }

            foreach (var (name, value) in variables)
            {
                NativeEnvironment.Set(name, value);
            }

            prepared = new TorchRuntimeSetup(cpu, mode, decision, variables, loadedFirst && variables.Count > 0);
            return prepared;
        }
    }

    /// <summary>
    /// <see cref="Prepare"/>, then loads libtorch and warms oneMKL's VML dispatch on this thread (and switches
    /// oneDNN off in <see cref="KernelMode.Aten"/>). Idempotent.
    /// </summary>
    public static TorchRuntimeSetup Initialize()
    {
        var setup = Prepare();
        lock (Gate)
        {
            if (initialized)
            {
                return setup;
            }

            torch.InitializeDeviceType(DeviceType.CPU);
            WarmVmlDispatch();
            if (setup.Mode == KernelMode.Aten)
            {
                LibTorchContext.OneDnnEnabled = false;
            }

            initialized = true;
            return setup;
        }
    }

    /// <summary>
    /// Makes sure the kernels compute correct numbers at the calling thread's torch thread count (set the
    /// threads first): runs the numeric self-check once per thread count per process. Training calls this
    /// before its first iteration.
    /// </summary>
    /// <exception cref="TorchBackendException">The kernels are wrong and no fallback fixed them.</exception>
    public static KernelCheckReport EnsureKernelsCorrect()
    {
        Initialize();
        var threads = get_num_threads();
        lock (Gate)
        {
            if (Verified.TryGetValue(threads, out var known))
            {
                return known;
            }

            var report = CheckOrFallBack();
            Verified[threads] = report;
            return report;
        }
    }

    /// <summary>
    /// For training whose loss or gradients became NaN/∞: runs the self-check again, uncached, and throws
    /// <see cref="TorchBackendException"/> if the kernels are at fault now. Returns normally when they are
    /// correct, so the caller may blame the training settings.
    /// </summary>
    public static void RecheckAfterDivergence(string what)
    {
        Initialize();
        lock (Gate)
        {
            var report = NumericSelfCheck.Run(repeats: 3);
            if (!report.Passed)
            {
                throw new TorchBackendException($"{what}, and the torch kernels fail the numeric self-check now: {Explain(report)}", report);
            }
        }
    }

    /// <summary>Runs the self-check as it is, without caching or fallback (for <c>doctor</c>).</summary>
    public static KernelCheckReport RunSelfCheck(int repeats = 2)
    {
        Initialize();
        lock (Gate)
        {
            return NumericSelfCheck.Run(repeats);
        }
    }

    /// <summary>Whether oneDNN kernels are enabled now (null when the switch is not found in this libtorch).</summary>
    public static bool? OneDnnEnabled => LibTorchContext.OneDnnEnabled;

    /// <summary>The oneMKL bundled with libtorch, as it names itself (null when unknown).</summary>
    public static string? MklVersion => LibTorchContext.MklVersion;

    /// <summary>The failure in one message: CPU, operation, error size, what to do.</summary>
    public static string Explain(KernelCheckReport report)
    {
        var worst = report.WorstFailure;
        if (worst is null)
        {
            return "every check passed";
        }

        var setup = Setup;
        var error = double.IsNaN(worst.Error) ? "NaN" : double.IsPositiveInfinity(worst.Error) ? "∞" : worst.Error.ToString("0.###e+0", CultureInfo.InvariantCulture);
        var failed = report.Checks.Count(c => !c.Passed);
        return $"on {setup.Cpu.Describe()}, libtorch {torch.__version__}, {report.Threads} thread(s), oneDNN {(report.OneDnn ? "on" : "off")} " +
               $"({setup.Decision}): '{worst.Operation}' in float32 differs from float64 by {error} (relative; limit {worst.Limit:0e+0}); " +
               $"{failed} of {report.Checks.Count} checks failed. Training would produce garbage on this machine. " +
               $"Try {ModeVariable}=avx2 or {ModeVariable}=aten, or one thread (--threads 1), and run 'cellsegflows doctor' to see every check.";
    }

    /// <summary>Test hook: forgets the cached self-check results and the fallback note (oneDNN is left as it is).</summary>
    internal static void ForgetChecks()
    {
        lock (Gate)
        {
            Verified.Clear();
            fallbackNote = null;
        }
    }

    internal static KernelMode ParseMode(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => KernelMode.Auto,
        "fast" => KernelMode.Fast,
        "avx2" => KernelMode.Avx2,
        "aten" => KernelMode.Aten,
        _ => throw new ArgumentException($"{ModeVariable}='{value}': expected auto, fast, avx2 or aten"),
    };

    /// <summary>
    /// CPUs on which libtorch 2.10's fast kernels are known to compute wrong numbers, with what was seen.
    /// Measured: AMD Zen 5 (family 1Ah) gave NaN gradients within 1-10 iterations of small conv/BN networks
    /// in 14-20 of 20 trials with oneDNN 3.7.1's AVX-512 kernels; 0 of 20 with them capped at AVX2.
    /// </summary>
    internal static string? KnownIssue(CpuInfo cpu) =>
        cpu.IsAmd && cpu.Family == 0x1A && cpu.HasAvx512
            ? "AMD Zen 5 (family 1Ah): oneDNN 3.7's AVX-512 training kernels gave NaN gradients on it"
            : null;

    private static KernelCheckReport CheckOrFallBack()
    {
        var report = NumericSelfCheck.Run();
        if (report.Passed)
        {
            return report;
        }

        if (Setup.Mode == KernelMode.Auto && LibTorchContext.OneDnnEnabled == true)
        {
            var first = Explain(report);
            LibTorchContext.OneDnnEnabled = false;
            var retry = NumericSelfCheck.Run();
            if (retry.Passed)
            {
                fallbackNote = $"oneDNN switched off for this process (ATen's own kernels, slower): {first}";
                return retry;
            }

            throw new TorchBackendException(Explain(retry), retry);
        }

        throw new TorchBackendException(Explain(report), report);
    }

    /// <summary>One small call of every ATen op that goes to oneMKL VML, in float32 and float64, on this thread.</summary>
    private static void WarmVmlDispatch()
    {
        using var scope = NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            var x = linspace(0.1, 0.9, 64, dtype);
            _ = new[]
            {
                x.acos(), x.asin(), x.atan(), x.cos(), x.erf(), x.erfc(), x.erfinv(), x.exp(), x.log(), x.log10(),
                x.log2(), x.sin(), x.sqrt(), x.tan(), x.tanh(), x.trunc(), x.log1p(), x.expm1(), x.sigmoid(), x.rsqrt(),
            };
        }
    }
}
