using System.Globalization;
using System.Text.RegularExpressions;
using CellSeg.Metrics.RunReports;

namespace CellSeg.Metrics.Tests.RunReports;

public sealed class PaperReferenceTests
{
    private static readonly PaperReference Paper = PaperReference.Load();

    private static string[] PaperLines => File.ReadAllLines(Path.Combine(TestPaths.Shared, "paper", "deep-learning-for-cell-segmentation.txt"));

    private static double Value(string model, string row, string metric) =>
        (Paper.Find(model, row, metric) ?? throw new Xunit.Sdk.XunitException($"no paper value for {model}, {row}, {metric}")).Value;

    [Fact]
    public void Table_3_rows_match_the_paper_text_value_for_value()
    {
        // Rows of Table 3 are printed "SPLIT<TAB>F1<TAB>AP<TAB>AFNR<TAB>F1<TAB>AP<TAB>AFNR"; AP and AFNR in percent.
        var rows = PaperLines.Select(l => l.Split('\t')).Where(c => c.Length == 7 && c.Skip(1).All(v => double.TryParse(v, CultureInfo.InvariantCulture, out _))).ToList();
        Assert.Equal(9, rows.Count);
        foreach (var cells in rows)
        {
            var row = Paper.Rows.Single(s => s.Label == cells[0].Replace("$\\mathrm{Huh}7$", "Huh7", StringComparison.Ordinal)).Row;
            double At(int i) => double.Parse(cells[i], CultureInfo.InvariantCulture);
            Assert.Equal(At(1), Value("CenterMask (L)", row, "F1"), 12);
            Assert.Equal(At(2) / 100, Value("CenterMask (L)", row, "AP"), 12);
            Assert.Equal(At(3) / 100, Value("CenterMask (L)", row, "AFNR"), 12);
            Assert.Equal(At(4), Value("Oracle V-99", row, "F1"), 12);
            Assert.Equal(At(5) / 100, Value("Oracle V-99", row, "AP"), 12);
            Assert.Equal(At(6) / 100, Value("Oracle V-99", row, "AFNR"), 12);
        }
    }

    [Fact]
    public void Table_1_columns_match_the_paper_text_in_the_recorded_row_order()
    {
        // The nine rows of four F1 values (a '*' marks layer 1 expansion); the text lost the row labels.
        var rows = PaperLines.Where(l => Regex.IsMatch(l, @"^0\.\d{4}\*?\t0\.\d{4}\*?\t0\.\d{4}\*?\t0\.\d{4}\*?$")).Select(l => l.Split('\t')).ToList();
        Assert.Equal(9, rows.Count);
        string[] columns = ["U-Net (L)", "U-Net (EL)", "Deep U-Net (L)", "Deep U-Net Ensemble (EL)"];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = Paper.Rows[r].Row;
            for (var c = 0; c < 4; c++)
            {
                var printed = rows[r][c];
                var recorded = Paper.Find(columns[c], row, "F1")!;
                Assert.Equal(double.Parse(printed.TrimEnd('*'), CultureInfo.InvariantCulture), recorded.Value, 12);
                Assert.Equal(printed.EndsWith('*') ? "*" : null, recorded.Mark);
            }
        }
    }

    [Fact]
    public void Tables_2_and_4_values_are_those_printed()
    {
        var text = string.Join('\n', PaperLines);
        Assert.Contains("SH-SY5Y\t0.4676\t0.6081", text);
        Assert.Contains("SkBr3\t0.6561\t0.2070", text);
        Assert.Equal(0.4676, Value("U-Net SH-SY5Y (L)", "SHSY5Y", "F1"), 12);
        Assert.Equal(0.2070, Value("U-Net SkBr3 (EL)", "SkBr3", "F1"), 12);
        Assert.Contains("$62.7 \\ \\ 32.6$", text);
        Assert.Equal(0.627, Value("CenterMask SkBr3 (L)", "SkBr3", "AP"), 12);
        Assert.Equal(0.326, Value("CenterMask SkBr3 (L)", "SkBr3", "AFNR"), 12);
        Assert.Contains("0.02899.4", text);
        Assert.Equal(0.00028, Value("CenterMask SH-SY5Y (EL)", "SHSY5Y", "AP"), 12);
        Assert.Equal(0.994, Value("CenterMask SH-SY5Y (EL)", "SHSY5Y", "AFNR"), 12);
        Assert.Equal(0.239, Value("CenterMask V-99 SH-SY5Y", "SHSY5Y", "AP"), 12);
    }

    [Fact]
    public void Run_model_names_find_only_their_own_paper_column()
    {
        Assert.Equal(new ModelNameParts("U-Net", "EL", "SHSY5Y"), PaperReference.ParseModelName("U-Net SH-SY5Y (EL)"));
        Assert.Equal(new ModelNameParts("unet", "EL", null), PaperReference.ParseModelName("unet+synthetic"));
        Assert.Equal(0.2591, Value("unet+synthetic", "LIVECell", "F1"), 12);
        Assert.Equal(1, Paper.Find("U-Net (L)", "MCF7", "F1")!.Table);
        // A single-cell-type model has a paper value on its own cell type only, from Table 2, not Table 1.
        Assert.Equal(2, Paper.Find("U-Net SH-SY5Y (L)", "SHSY5Y", "F1")!.Table);
        Assert.Null(Paper.Find("U-Net SH-SY5Y (L)", "SkBr3", "F1"));
        Assert.Null(Paper.Find("U-Net SH-SY5Y (L)", "LIVECell", "F1"));
        // The paper prints the ensemble as (EL): a run's ensemble on original data has no reference.
        Assert.Null(Paper.Find("Deep U-Net ensemble (L)", "LIVECell", "F1"));
        Assert.Null(Paper.Find("U-Net (L)", "LIVECell", "AP"));
        Assert.Null(Paper.Find("Mask R-CNN (L)", "LIVECell", "F1"));
        Assert.Equal("SH-SY5Y", Paper.LabelOf("SHSY5Y"));
        Assert.Equal(4, Paper.Values.Select(v => v.Table).Distinct().Count());
        Assert.Contains("4.3", Paper.Source);
    }

    [Fact]
    public void A_reference_file_naming_an_unlisted_model_is_refused_with_its_name()
    {
        var ex = Assert.Throws<FormatException>(() => PaperReference.Parse("""
            { "source": { "paper": "p", "section": "s" }, "rows": [ { "row": "LIVECell", "label": "LIVECell" } ], "models": [],
              "tables": [ { "table": 9, "training": "LIVECell-wide", "columns": [ { "model": "X-Net", "dataset": "L", "values": {} } ] } ] }
            """));
        Assert.Contains("X-Net", ex.Message);
        Assert.Contains("table 9", ex.Message);
    }
}
