using System.Text.Json.Nodes;
using CellSeg.Metrics.Reports;

namespace CellSeg.Metrics.Tests.Reports;

public sealed class StudySummaryTests
{
    private static JsonNode Report(params (string Model, double All, double A172, double? Mcf7)[] models) => new JsonObject
    {
        ["split"] = "fold",
        ["models"] = new JsonArray([.. models.Select(m => (JsonNode)new JsonObject
        {
            ["model"] = m.Model,
            ["overall"] = new JsonObject { ["f1"] = m.All, ["precision"] = 0.5, ["recall"] = 0.5 },
            ["perCellType"] = new JsonObject
            {
                ["A172"] = new JsonObject { ["f1"] = m.A172 },
                ["MCF7"] = new JsonObject { ["f1"] = m.Mcf7 is { } v ? JsonValue.Create(v) : null },
            },
        })]),
    };

    [Fact]
    public void Repeated_names_across_folds_and_seeds_are_one_setting_with_mean_and_sample_sd()
    {
        var settings = StudySummary.Collect(
        [
            ("fold0.json", Report(("L", 0.8, 0.7, 0.9), ("EL", 0.6, 0.5, 0.7), ("L", 0.6, 0.5, 0.7))),
            ("fold1.json", Report(("L", 0.7, 0.6, null), ("EL", 0.8, 0.7, 0.9))),
        ]);

        Assert.Equal(["L", "EL"], settings.Select(s => s.Name));
        var l = settings[0];
        Assert.Equal([0.8, 0.6, 0.7], l.Overall.Values);
        Assert.Equal(0.7, l.Overall.Mean, 12);
        Assert.Equal(0.1, l.Overall.StandardDeviation, 12);
        Assert.Equal(3, l.PerCellType["MCF7"].Values.Count);
        Assert.Equal(0.8, l.PerCellType["MCF7"].Mean, 12);              // a cell type without pixels (null) is left out of the mean
        var table = StudySummary.ToMarkdown(settings);
        Assert.Contains("| cell type | L | EL | Δ |", table);
        Assert.Contains("| **all** | 0.700 ± 0.100 (3) | 0.700 ± 0.141 (2) | 0.000 |", table);
        Assert.Contains("| MCF7 | 0.800 ± 0.141 (2) | 0.800 ± 0.141 (2) | 0.000 |", table);
        Assert.Null(StudySummary.ToJson(settings)["settings"]![0]!["perCellType"]!["MCF7"]!["values"]![2]);
    }

    [Fact]
    public void A_report_that_is_not_a_semantic_report_names_the_file()
    {
        var error = Assert.Throws<FormatException>(() => StudySummary.Collect([("instances.json", new JsonObject { ["AP"] = 0.3 })]));
        Assert.Contains("instances.json: not a semantic report", error.Message);
    }
}
