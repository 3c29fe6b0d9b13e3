using System.Text.Json.Nodes;
using CellSeg.Data.Livecell;
using CellSeg.Metrics.Reports;

namespace CellSeg.Metrics.Tests.Reports;

/// <summary>A gate reads the same numbers the evaluators wrote, from both report formats.</summary>
public sealed class ReportScoresTests
{
    [Fact]
    public async Task Scores_of_a_real_instance_report_are_the_evaluations_numbers_overall_and_per_cell_type()
    {
        var report = await Evaluation.RunAsync(TestPaths.TestAnnotations, Path.Combine(TestPaths.Reference, "pred_noisy.json"), new EvaluationOptions
        {
            Preset = "livecell",
            GroupOf = image => CellTypes.TryFromFileName(image.FileName, out var type) ? type : null,
        });
        var json = JsonNode.Parse(ReportJson.ToJson(report))!;
        Assert.Equal(report.Overall.Coco.AP, ReportScores.Read("report.json", json, "AP"));
        Assert.Equal(report.Overall.Coco.AFNR, ReportScores.Read("report.json", json, "AFNR"));
        var row = report.PerGroup[0];
        Assert.Equal(row.Coco.AP50, ReportScores.Read("report.json", json, $"AP50/{row.Name}"));
        if (row.Semantic is { } semantic)
        {
            Assert.Equal(semantic.F1, ReportScores.Read("report.json", json, $"F1/{row.Name}"), 12);
        }

        var missing = Assert.Throws<FormatException>(() => ReportScores.Read("report.json", json, "AP/Nowhere"));
        Assert.StartsWith("report.json: no cell type 'Nowhere' in the report (cell types: ", missing.Message, StringComparison.Ordinal);

        // Several models: {models: [{name, report}]}, picked by name.
        var both = new JsonObject { ["models"] = new JsonArray(new JsonObject { ["name"] = "a", ["report"] = json.DeepClone() }, new JsonObject { ["name"] = "b", ["report"] = json.DeepClone() }) };
        Assert.Equal(report.Overall.Coco.AP, ReportScores.Read("r.json", both, "AP", "b"));
        Assert.Throws<FormatException>(() => ReportScores.Read("r.json", both, "AP", "c"));
    }

    [Fact]
    public void Scores_of_a_semantic_report_are_read_by_model_and_cell_type_and_null_is_not_a_number()
    {
        var json = JsonNode.Parse("""
            { "split": "test", "models": [
              { "model": "challenger", "overall": { "f1": 0.8, "precision": 0.7, "recall": 0.9 }, "perCellType": { "MCF7": { "f1": 0.6 }, "A172": { "f1": null } } },
              { "model": "champion", "overall": { "f1": 0.75 }, "perCellType": {} } ] }
            """)!;
        Assert.Equal(0.8, ReportScores.Read("s.json", json, "F1"));
        Assert.Equal(0.75, ReportScores.Read("s.json", json, "F1", "champion"));
        Assert.Equal(0.6, ReportScores.Read("s.json", json, "F1/MCF7"));
        Assert.True(double.IsNaN(ReportScores.Read("s.json", json, "F1/A172")));
        Assert.Equal(0.9, ReportScores.Read("s.json", json, "recall"));
        Assert.Contains("AP is not in a semantic report", Assert.Throws<FormatException>(() => ReportScores.Read("s.json", json, "AP")).Message, StringComparison.Ordinal);
        Assert.Contains("unknown metric 'Dice'", Assert.Throws<ArgumentException>(() => ReportScores.Read("s.json", json, "Dice")).Message, StringComparison.Ordinal);
        Assert.Equal("s.json: the report holds no model", Assert.Throws<FormatException>(() => ReportScores.Read("s.json", JsonNode.Parse("""{"models": []}""")!, "F1")).Message);
        Assert.True(ReportScores.LowerIsBetter("AFNR/MCF7"));
        Assert.False(ReportScores.LowerIsBetter("F1"));
    }
}
