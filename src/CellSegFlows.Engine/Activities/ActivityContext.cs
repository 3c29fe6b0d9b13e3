using CellSegFlows.Engine.Access;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Registry;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Engine.Activities;

/// <summary>Progress of a running step: a fraction in [0, 1] (null when unknown) and a short message.</summary>
public readonly record struct StepProgress(double? Fraction, string? Message);

/// <summary>Everything an activity gets from the engine while it runs.</summary>
public sealed class ActivityContext
{
    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The step (one node, or one branch of a mapped node).</summary>
    public required string StepId { get; init; }

    /// <summary>The node of the definition.</summary>
    public required string NodeId { get; init; }

    /// <summary>1 for the first attempt.</summary>
    public required int Attempt { get; init; }

    /// <summary>A folder private to this step, kept between attempts (for checkpoints and partial downloads).</summary>
    public required string WorkFolder { get; init; }

    /// <summary>Where artifacts are put and read.</summary>
    public required IArtifactStore Artifacts { get; init; }

    /// <summary>Reports progress; stored with the step and drawn by the CLI and studio.</summary>
    public required IProgress<StepProgress> Progress { get; init; }

    /// <summary>Log lines go to the step's journal.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>Cancelled when the run is cancelled, the step times out, or the worker stops.</summary>
    public required CancellationToken CancellationToken { get; init; }

    /// <summary>Compute device to use: <c>cpu</c>, or <c>cuda</c> on a gpu worker.</summary>
    public required string Device { get; init; }

    /// <summary>Records a metric (e.g. training loss at a step) in the run history.</summary>
    public required Action<string, double, long?> ReportMetric { get; init; }

    /// <summary>
    /// What the step may reach on the host (data roots, download origins; the step's work folder included). Inputs
    /// declared with a <see cref="PortKind"/> arrive already checked; an activity asks here for paths it finds
    /// inside other values (a path in a JSON input, a source that may also be a keyword) and for each URL it fetches.
    /// </summary>
    public HostAccess HostAccess { get; init; } = HostAccess.Unrestricted;

    /// <summary>
    /// The model registry of the run store this step belongs to (<c>model://</c> inputs arrive already resolved; an
    /// activity asks here to look up a champion that may not exist yet, or to register and promote). Null only where an
    /// activity is run outside the engine, e.g. by hand in a test.
    /// </summary>
    public ModelRegistry? Models { get; init; }
}
