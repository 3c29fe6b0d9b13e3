using System.Globalization;
using System.Text.Json.Nodes;
using CellSeg.Metrics.Reports;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Registry;

namespace CellSegFlows.Activities.Models;

/// <summary>The champion/challenger gate: registers the newly trained model as a version and promotes it only if it beats the champion by the margin.</summary>
[Activity("PromoteModel", Category = "Models", Cacheable = false, Description = "Registers the challenger as a new version of a named model (with the run, data and scores that produced it), then makes it the champion only if it beats the current champion by the margin on the metric, both scored on the same split in this run. The decision and its reason go to the registry, the audit log and the outputs.")]
public sealed class PromoteModel : Activity<PromoteModel.Input, PromoteModel.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("The registered model's name (created with its first version).")] string Name,
        [property: Port("The challenger: the model just trained.")] ArtifactRef Model,
        [property: Port("The challenger's evaluation report (EvaluateSemantic's or EvaluateInstances' report JSON).")] ArtifactRef Report,
        [property: Port("The champion's report on the same split (the champion evaluated in this run); none when there is no champion.")] ArtifactRef? ChampionReport = null,
        [property: Port("The champion version that report scored (ResolveModel's version; 0: no champion). If another run promoted meanwhile, the challenger is rejected.")] int ChampionVersion = 0,
        [property: Port("What to compare: F1, precision, recall, AP, AP50, AP75 or AFNR (lower is better), optionally /CELLTYPE (e.g. F1/MCF7).")] string Metric = "F1",
        [property: Port("How much better the challenger must be, in the metric's units (0.01 = one point of F1).")] double Margin = 0,
        [property: Port("The challenger's name in its report when it holds several models; default: the first.")] string ReportModel = "",
        [property: Port("The champion's name in its report; default: the first.")] string ChampionReportModel = "",
        [property: Port("The training data (e.g. ImportDataset's annotations), recorded with the version.")] IReadOnlyList<ArtifactRef>? Data = null,
        [property: Port("Where the data came from, in words (e.g. the annotation file a folder watch passed), recorded with the version.")] string Source = "");

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The challenger's version number.")] int Version,
        [property: Port("Whether it became the champion.")] bool Promoted,
        [property: Port("The champion's version after the decision.")] int Champion,
        [property: Port("Why, in words.")] string Reason,
        [property: Port("The challenger's score.")] double? Score,
        [property: Port("The champion's score on the same split; none without a champion.")] double? ChampionScore,
        [property: Port("model://NAME@VERSION of the challenger.")] string Reference);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var registry = context.Models ?? throw new InvalidOperationException("PromoteModel needs the engine's model registry");
        try
        {
            ReportScores.CheckMetric(input.Metric);
        }
        catch (ArgumentException ex)
        {
            throw new ModelRegistryException($"metric: {ex.Message}");
        }

        if (!double.IsFinite(input.Margin) || input.Margin < 0)
        {
            throw new ModelRegistryException($"margin must be 0 or more, not {input.Margin.ToString(CultureInfo.InvariantCulture)}");
        }

        if (input.ChampionVersion > 0 && input.ChampionReport is null)
        {
            throw new ModelRegistryException($"championVersion {input.ChampionVersion} was given without championReport: the champion must be scored on the same split");
        }

        var score = await ScoreAsync(input.Report, input.ReportModel, input.Metric, context).ConfigureAwait(false);
        double? championScore = input.ChampionVersion > 0 ? await ScoreAsync(input.ChampionReport!, input.ChampionReportModel, input.Metric, context).ConfigureAwait(false) : null;
        var version = await registry.RegisterAsync(new ModelVersionSpec(input.Name, input.Model)
        {
            RunId = context.RunId, StepId = context.StepId, By = "run:" + context.RunId,
            DataJson = new JsonObject
            {
                ["source"] = input.Source.Length > 0 ? input.Source : null,
                ["data"] = new JsonArray([.. (input.Data ?? []).Select(a => (JsonNode)new JsonObject { ["hash"] = a.Hash, ["name"] = a.Name, ["size"] = a.Size })]),
            }.ToJsonString(),
            MetricsJson = new JsonObject
            {
                [input.Metric] = double.IsFinite(score) ? score : null,
                ["report"] = new JsonObject { ["hash"] = input.Report.Hash, ["name"] = input.Report.Name },
            }.ToJsonString(),
        }, ct).ConfigureAwait(false);
        var rule = new PromotionRule(input.Metric, input.Margin, HigherIsBetter: !ReportScores.LowerIsBetter(input.Metric));
        var decision = await registry.DecideAsync(
            new ChallengeSpec(input.Name, version.Version, rule, score, input.ChampionVersion > 0 ? input.ChampionVersion : null, championScore)
            {
                RunId = context.RunId, By = "run:" + context.RunId,
            },
            ct).ConfigureAwait(false);
        var promoted = decision.Decision == Engine.Store.ModelDecision.Promoted;
        var champion = promoted ? version.Version : decision.PreviousChampion ?? 0;
        var reference = new ModelReference(input.Name, version.Version).ToString();
        context.Progress.Report(new StepProgress(1, $"{reference} {(promoted ? "promoted" : "rejected")}: {decision.Reason}"));
        context.ReportMetric("promoted", promoted ? 1 : 0, null);
        if (double.IsFinite(score))
        {
            context.ReportMetric($"challenger/{input.Metric}", score, null);
        }

        if (championScore is { } cs && double.IsFinite(cs))
        {
            context.ReportMetric($"champion/{input.Metric}", cs, null);
        }

        return new Output(version.Version, promoted, champion, decision.Reason, Finite(score), championScore is { } c ? Finite(c) : null, reference);
    }

    private static async Task<double> ScoreAsync(ArtifactRef report, string model, string metric, ActivityContext context)
    {
        var path = context.Artifacts.GetPath(report);
        JsonNode json;
        try
        {
            await using var stream = File.OpenRead(path);
            json = await JsonNode.ParseAsync(stream, cancellationToken: context.CancellationToken).ConfigureAwait(false)
                ?? throw new FormatException($"{report.Name}: the report is empty");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ModelRegistryException($"{report.Name} is not a JSON report: {ex.Message}");
        }

        try
        {
            return ReportScores.Read(report.Name, json, metric, model);
        }
        catch (FormatException ex)
        {
            throw new ModelRegistryException(ex.Message);
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
