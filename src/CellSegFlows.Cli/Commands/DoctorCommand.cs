using System.ComponentModel;
using System.Globalization;
using CellSeg.Models;
using CellSeg.Models.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows doctor</c>: the CPU and its ISA, libtorch and oneMKL, threads, CUDA devices, the libstdc++
/// patch, the kernel set-up, then the numeric self-check with every compared quantity. Exit 1 when it fails.
/// </summary>
internal sealed class DoctorCommand(IAnsiConsole console) : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--threads <N>")]
        [Description("Intra-op threads for the self-check (default: all processors, as training uses).")]
        public int? Threads { get; init; }

        [CommandOption("--repeats <N>")]
        [Description("float32 repeats of each case (default 3).")]
        [DefaultValue(3)]
        public int Repeats { get; init; } = 3;

        [CommandOption("--all")]
        [Description("List every check, not only the failed ones and the five largest errors.")]
        public bool All { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Repeats is < 1 or > 100)
        {
            throw new UserInputException($"--repeats {settings.Repeats}: expected 1 to 100");
        }

        if (settings.Threads is < 1 or > 1024)
        {
            throw new UserInputException($"--threads {settings.Threads}: expected 1 to 1024");
        }

        TorchDevices.SetThreads(settings.Threads);
        var machine = TorchMachineReport.Collect();
        var info = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => info.AddRow(new Markup($"[bold]{name}[/]"), new Text(value));
        Row("cpu", machine.Setup.Cpu.Describe());
        Row("libtorch", $"{machine.LibTorch} (TorchSharp {machine.TorchSharp}, backend {machine.Backend})");
        Row("oneMKL", machine.Mkl ?? "unknown");
        Row("kernels", $"{machine.Setup.Mode.ToString().ToLowerInvariant()}: {machine.Setup.Decision}");
        Row("native variables", machine.Setup.Variables.Count == 0 ? "none set" : string.Join(", ", machine.Setup.Variables.Select(v => $"{v.Key}={v.Value}")) + (machine.Setup.TorchLoadedFirst ? " (TOO LATE: libtorch was loaded first)" : ""));
        Row("oneDNN", machine.OneDnnEnabled switch { true => "on", false => "off", null => "unknown (switch not found)" });
        Row("threads", $"{machine.Threads} intra-op, {machine.InteropThreads} inter-op, {machine.Processors} processors");
        Row("cuda", machine.CudaDevices == 0 ? "no device" : $"{machine.CudaDevices} device(s)");
        Row("devices", string.Join(", ", GpuDeviceList.Available(machine.CudaDevices)) + (machine.CudaDevices > 1 ? $" (a worker takes them all with --device cuda --gpus {machine.CudaDevices})" : string.Empty));
        Row("native library", machine.NativeLibrary ?? "?");
        Row("libstdc++ patch", machine.LibstdcxxPatch);
        console.Write(info);

        var report = TorchRuntime.RunSelfCheck(settings.Repeats);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("check (float32 vs float64)", "error", "limit", "repeatable", "result");
        var shown = settings.All
            ? report.Checks
            : report.Checks.Where(c => !c.Passed).Concat(report.Checks.Where(c => c.Passed).OrderByDescending(c => c.Error).Take(5)).ToList();
        foreach (var check in shown)
        {
            table.AddRow(
                Markup.Escape(check.Operation),
                double.IsFinite(check.Error) ? check.Error.ToString("0.00e+0", CultureInfo.InvariantCulture) : check.Error.ToString(CultureInfo.InvariantCulture),
                check.Limit.ToString("0e+0", CultureInfo.InvariantCulture),
                check.Repeatable ? "yes" : "[yellow]no[/]",
                check.Passed ? "[green]ok[/]" : "[red]WRONG[/]");
        }

        console.Write(table);
        var summary = $"{report.Checks.Count(c => c.Passed)} of {report.Checks.Count} checks passed in {report.Elapsed.TotalMilliseconds:0} ms ({report.Threads} threads, oneDNN {(report.OneDnn ? "on" : "off")}); float32 repeats {(report.Repeatable ? "bit-identical" : "DIFFER")}";
        if (report.Passed)
        {
            console.MarkupLineInterpolated($"[green]self-check passed:[/] {summary}");
            return 0;
        }

        console.MarkupLineInterpolated($"[red]self-check FAILED:[/] {summary}");
        console.MarkupLineInterpolated($"{TorchRuntime.Explain(report)}");
        return 1;
    }
}
