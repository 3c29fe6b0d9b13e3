using System.ComponentModel;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// Options of the commands that run a worker (<c>serve</c>, <c>worker</c>): the queues it serves, its name in the
/// journal and a triggers file applied at start; with these the engine's options for a restricted worker.
/// </summary>
public abstract class WorkerSettings : EngineSettings
{
    [CommandOption("--queues <LIST>")]
    [Description("Execution groups this process runs, comma-separated: cpu, gpu (default both; serve also takes 'none' to only serve the API next to other workers).")]
    [DefaultValue(QueueNames.AllList)]
    public string Queues { get; init; } = QueueNames.AllList;

    [CommandOption("--name <NAME>")]
    [Description("Worker name in the journal (default host:pid).")]
    public string? Name { get; init; }

    [CommandOption("--triggers <FILE>")]
    [Description("A triggers file (JSON: schedules and watches) whose schedules and watches are added or updated at start, by id.")]
    public string? Triggers { get; init; }

    [CommandOption("--drain-timeout <SECONDS>")]
    [Description("On SIGTERM or Ctrl+C: take no new steps, wait this long for running ones to finish, then hand the rest back to other workers (default 120; a second Ctrl+C hands back at once).")]
    [DefaultValue(120)]
    public int DrainTimeout { get; init; } = 120;

    /// <summary>Whether <c>--queues none</c> is allowed (a process that only serves the API).</summary>
    private protected virtual bool AcceptsNone => false;

    /// <summary>The queues given, as names (<c>["none"]</c> for none).</summary>
    internal string[] QueueList => AcceptsNone && Queues == QueueNames.None ? [QueueNames.None] : QueueNames.Split(Queues);

    public override ValidationResult Validate() =>
        DrainTimeout < 0 ? ValidationResult.Error($"--drain-timeout takes seconds (0 or more), not {DrainTimeout}") :
        (AcceptsNone && Queues == QueueNames.None) || QueueNames.Split(Queues).All(QueueNames.IsKnown)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--queues takes cpu and/or gpu{(AcceptsNone ? " (or none)" : string.Empty)}, not '{Queues}'");

    /// <summary>The engine's options for this worker: its queues, name, triggers file and device, with host access restricted.</summary>
    internal EngineOptions ToWorkerOptions() =>
        WithDevices(ToOptions(queues: QueueList, workerName: Name, triggersFile: Triggers, restrict: true));
}
