namespace CellSeg.Bench.Parse;

/// <summary>What one parse measurement (one child process) reports.</summary>
internal sealed record ParseFigures
{
    public required string Mode { get; init; }

    /// <summary>Seconds of the measured step.</summary>
    public required double WallS { get; init; }

    /// <summary>CPU seconds of the whole process during the step (all threads).</summary>
    public required double CpuS { get; init; }

    /// <summary>Untimed preparation before the step (rasterise-only: loading the file).</summary>
    public double SetupS { get; init; }

    /// <summary>VmHWM at the end of the step.</summary>
    public required long PeakBytes { get; init; }

    /// <summary>Bytes the GC handed out during the step.</summary>
    public required long AllocatedBytes { get; init; }

    /// <summary>Time the GC paused the process during the step.</summary>
    public double GcPauseS { get; init; }

    /// <summary>
    /// Managed heap still reachable after the step (a full blocking collection with the result kept
    /// alive): the result's own size, the floor under any peak. Taken after the peak is read.
    /// </summary>
    public long HeldBytes { get; init; }

    public required int Gen0 { get; init; }

    public required int Gen1 { get; init; }

    public required int Gen2 { get; init; }

    public long Images { get; init; }

    public long Annotations { get; init; }

    public long Polygons { get; init; }

    public long Vertices { get; init; }

    /// <summary>tokenize: numbers read, and their sum (so the reads cannot be skipped).</summary>
    public long Numbers { get; init; }

    public double NumberSum { get; init; }

    /// <summary>A number derived from the output (runs, tokens) so the work cannot be skipped.</summary>
    public long Checksum { get; init; }

    public int Cores { get; init; }
}

/// <summary>What the Python anchor script prints.</summary>
internal sealed record PythonFigures
{
    public required string Python { get; init; }

    public required double JsonLoadS { get; init; }

    public required double CreateIndexS { get; init; }

    public required long Annotations { get; init; }

    public required long Polygons { get; init; }

    public required long PeakBytes { get; init; }
}

/// <summary>What the C anchor (pycocotools' maskApi.c) prints.</summary>
internal sealed record CFigures
{
    public required long Annotations { get; init; }

    public required long Polygons { get; init; }

    public required double FrpolyS { get; init; }

    public required double AnntorleS { get; init; }

    public required long Runs { get; init; }
}
