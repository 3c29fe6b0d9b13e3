using System.Text.Json.Nodes;
using CellSeg.Metrics.Reports;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Evaluation;

/// <summary>Collects a cross-validation study (the extension study): EvaluateSemantic reports of every fold, mean and spread per setting and cell type.</summary>
[Activity("SummarizeStudy", Category = "Evaluation", Description = "Mean ± sample SD of a score over the folds and seeds of a study, per setting (model name) and cell type, from EvaluateSemantic's reports (one per fold); a Markdown table with Δ to the first setting, and JSON.")]
public sealed class SummarizeStudy : Activity<SummarizeStudy.Input, SummarizeStudy.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("EvaluateSemantic's JSON reports, one per fold; a model name recurring across them (and within one, once per seed) is one setting.")] IReadOnlyList<ArtifactRef> Reports,
        [property: Port("F1, precision or recall.")] string Metric = "F1");

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("Mean ± SD per cell type and setting, Δ to the first setting (Markdown).")] ArtifactRef Table,
        [property: Port("Every value, mean and SD per setting and cell type (JSON).")] ArtifactRef Summary,
        [property: Port("The settings' names, in order.")] IReadOnlyList<string> Settings,
        [property: Port("Overall mean of each setting, in order.")] IReadOnlyList<double> Mean);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        ActivityInputs.Check("metric", () => ReportScores.CheckMetric(input.Metric));
        if (input.Reports.Count == 0)
        {
            throw new ActivityInputException("reports", "a study needs at least one report");
        }

        var reports = new List<(string, JsonNode)>();
        foreach (var report in input.Reports)
        {
            var path = context.Artifacts.GetPath(report);
            var node = JsonNode.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false))
                ?? throw new ActivityInputException("reports", $"{report.Name}: empty report");
            reports.Add((report.Name, node));
        }

        IReadOnlyList<StudySetting> settings;
        try
        {
            settings = StudySummary.Collect(reports, input.Metric);
        }
        catch (FormatException e)
        {
            throw new ActivityInputException("reports", e.Message, e);
        }

        var table = Path.Combine(context.WorkFolder, "study.md");
        var json = Path.Combine(context.WorkFolder, "study.json");
        await StudySummary.WriteAsync(settings, input.Metric, table, json, ct).ConfigureAwait(false);
        foreach (var s in settings)
        {
            context.ReportMetric($"{input.Metric}/{s.Name}", s.Overall.Mean, null);
            foreach (var (type, score) in s.PerCellType)
            {
                context.ReportMetric($"{input.Metric}/{s.Name}/{type}", score.Mean, null);
            }
        }

        return new Output(
            await context.Artifacts.PutFileAsync(table, "study.md", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(json, "study.json", ct).ConfigureAwait(false),
            [.. settings.Select(s => s.Name)],
            [.. settings.Select(s => s.Overall.Mean)]);
    }
}
