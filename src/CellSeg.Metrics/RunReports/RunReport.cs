namespace CellSeg.Metrics.RunReports;

/// <summary>A figure of a report, as PNG bytes.</summary>
/// <param name="Id">Unique within the report (e.g. "pr50-CenterMask (L)"), used as its file name in JSON.</param>
/// <param name="Caption">What it shows.</param>
/// <param name="Png">The image.</param>
/// <param name="Group">Figures of one group (e.g. one cell type's overlays of every model) are shown side by side; null: alone.</param>
public sealed record ReportFigure(string Id, string Caption, byte[] Png, string? Group = null);

/// <summary>One section of a report: its figures, or why it has none.</summary>
/// <param name="Id">pca, synthetic, pr-curves, ap-per-iou, bars, training, overlays, steps (the tables are not a section).</param>
/// <param name="Title">Its heading.</param>
/// <param name="Figures">Its figures (none for the tables).</param>
/// <param name="Missing">Why something is absent (e.g. "no training history in this run"), or null.</param>
public sealed record ReportSection(string Id, string Title, IReadOnlyList<ReportFigure> Figures, string? Missing);

/// <summary>One cell of a score table: a run's value, the paper's value, and the difference.</summary>
/// <param name="Value">The run's value, or null.</param>
/// <param name="Paper">The paper's value, or null.</param>
public sealed record ScoreCell(double? Value, PaperValue? Paper)
{
    /// <summary>Value − paper, when both exist.</summary>
    public double? Delta => Value is { } v && Paper is { } p ? v - p.Value : null;
}

/// <summary>A run's results as the report shows them: score tables in the paper's layout, figures and notes.</summary>
public sealed record RunReport
{
    /// <summary>The title.</summary>
    public required string Title { get; init; }

    /// <summary>The run, or null.</summary>
    public string? RunId { get; init; }

    /// <summary>The run's budget in a line, or null.</summary>
    public string? Budget { get; init; }

    /// <summary>When it was built.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The paper's numbers the tables are compared with.</summary>
    public required PaperReference Paper { get; init; }

    /// <summary>The rows: LIVECell, the 8 cell types, then any other group the run's reports hold.</summary>
    public required IReadOnlyList<string> Rows { get; init; }

    /// <summary>The run's models (the columns).</summary>
    public required IReadOnlyList<ModelResult> Models { get; init; }

    /// <summary>The sections after the tables, in order.</summary>
    public required IReadOnlyList<ReportSection> Sections { get; init; }

    /// <summary>The run's steps.</summary>
    public IReadOnlyList<StepTiming> Steps { get; init; } = [];

    /// <summary>Why the tables are empty, or null.</summary>
    public string? TablesMissing { get; init; }

    /// <summary>The models that have <paramref name="metric"/> on some row, in order.</summary>
    public IReadOnlyList<ModelResult> ModelsWith(string metric) =>
        [.. Models.Where(m => m.Rows.Values.Any(s => s.Get(metric) is not null))];

    /// <summary>The cell of a table.</summary>
    public ScoreCell Cell(ModelResult model, string row, string metric)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ScoreCell(model.Rows.GetValueOrDefault(row)?.Get(metric), Paper.Find(model.Model, row, metric));
    }
}
