using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Reports;
using CellSeg.Metrics.RunReports;

namespace CellSeg.Metrics.Tests.RunReports;

/// <summary>
/// A tiny run whose scores are worked out by hand: two 20×20 images, an A172 one with two equal square cells (one found
/// exactly, plus a low-scoring false positive) and an MCF7 one with one cell found exactly.
/// </summary>
public sealed class RunReportTests
{
    private const string A172 = "A172_Phase_A7_1_00d00h00m_1.png";
    private const string Mcf7 = "MCF7_Phase_B4_1_00d00h00m_1.png";

    // Squares of 6×6 pixels (pycocotools rasterises the polygon [x0,y0,x1,y0,x1,y1,x0,y1] to the pixels x0..x1-1).
    private static double[] Square(int x, int y) => [x, y, x + 6, y, x + 6, y + 6, x, y + 6];

    private static async Task<(string Gt, string Pred, string Images)> TinyRunAsync()
    {
        var dir = TestPaths.NewTempFolder();
        var gt = Path.Combine(dir, "gt.json");
        string Poly(double[] p) => "[[" + string.Join(",", p) + "]]";
        await File.WriteAllTextAsync(gt, $$"""
            { "images": [ { "id": 1, "file_name": "{{A172}}", "width": 20, "height": 20 }, { "id": 2, "file_name": "{{Mcf7}}", "width": 20, "height": 20 } ],
              "categories": [ { "id": 1, "name": "cell" } ],
              "annotations": [
                { "id": 1, "image_id": 1, "category_id": 1, "segmentation": {{Poly(Square(2, 2))}}, "area": 36, "bbox": [2, 2, 6, 6], "iscrowd": 0 },
                { "id": 2, "image_id": 1, "category_id": 1, "segmentation": {{Poly(Square(11, 11))}}, "area": 36, "bbox": [11, 11, 6, 6], "iscrowd": 0 },
                { "id": 3, "image_id": 2, "category_id": 1, "segmentation": {{Poly(Square(5, 5))}}, "area": 36, "bbox": [5, 5, 6, 6], "iscrowd": 0 } ] }
            """);
        Rle Mask(double[] p) => Rle.FromPolygons([p], 20, 20);
        var pred = Path.Combine(dir, "pred.json");
        await CocoWriter.WriteDetectionsAsync(
        [
            new CocoDetection(1, 1, 0.9, new RleSegmentation(Mask(Square(2, 2))), null),
            new CocoDetection(1, 1, 0.3, new RleSegmentation(Mask(Square(12, 1))), null),
            new CocoDetection(2, 1, 0.8, new RleSegmentation(Mask(Square(5, 5))), null),
        ], pred);
        var images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        foreach (var name in new[] { A172, Mcf7 })
        {
            var image = GrayImage.Create8(20, 20);
            Array.Fill(image.Pixels8, (byte)100);
            await GrayImageIO.WritePngAsync(image, Path.Combine(images, name));
        }

        return (gt, pred, images);
    }

    private static async Task<RunReportSources> SourcesAsync(double unetF1 = 0.6)
    {
        var (gt, pred, images) = await TinyRunAsync();
        var dir = Path.GetDirectoryName(gt)!;
        var instance = Path.Combine(dir, "report.json");
        var evaluation = await Evaluation.RunAsync(gt, pred, new EvaluationOptions
        {
            Preset = "livecell",
            GroupOf = image => CellTypes.TryFromFileName(image.FileName, out var t) ? t : null,
        });
        await ReportJson.WriteAsync(evaluation, instance);
        // EvaluateSemantic's format, written by hand: a U-Net with pooled F1 over all images and per cell type.
        var semantic = Path.Combine(dir, "semantic.json");
        await File.WriteAllTextAsync(semantic, new JsonObject
        {
            ["split"] = "test",
            ["models"] = new JsonArray(new JsonObject
            {
                ["model"] = "U-Net (L)",
                ["overall"] = new JsonObject { ["f1"] = unetF1, ["images"] = 2 },
                ["perCellType"] = new JsonObject { ["A172"] = new JsonObject { ["f1"] = 0.5, ["images"] = 1 }, ["MCF7"] = new JsonObject { ["f1"] = null, ["images"] = 1 } },
            }),
        }.ToJsonString());
        var history = Path.Combine(dir, "history.csv");
        await File.WriteAllTextAsync(history, "iteration,learning_rate,total_loss,loss_cls\n0,0.001,3,1\n10,0.004,2.5,1\n20,0.01,2,1\n30,0.01,1.5,1\n40,0.001,1.2,1\n50,0.0001,1.1,1\n");
        string? PathOf(string name) => Path.Combine(images, name);
        var start = DateTimeOffset.Parse("2026-01-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        return new RunReportSources
        {
            Title = "tiny run",
            RunId = "r-tiny",
            SemanticReports = [semantic],
            InstanceReports = [instance],
            InstanceReportNames = ["CenterMask (L)"],
            Histories = [new HistorySource("CenterMask (L)", history)],
            Overlays = [new OverlaySource("CenterMask (L)", gt, [pred], PathOf)],
            OverlayScoreThreshold = 0.25,
            Steps =
            [
                new StepTiming("prepare", "PrepareDataset", "cpu", "w1", null, "Succeeded", start, start.AddSeconds(5)),
                new StepTiming("train[0]", "FinetuneCenterMask", "gpu", "w1", "cuda:0", "Succeeded", start.AddSeconds(5), start.AddSeconds(40)),
                new StepTiming("train[1]", "FinetuneCenterMask", "gpu", "w2", "cpu", "Failed", start.AddSeconds(5), start.AddSeconds(20)),
            ],
        };
    }

    [Fact]
    public async Task Tables_hold_the_hand_computed_scores_beside_the_paper_with_deltas()
    {
        var report = await RunReportBuilder.BuildAsync(await SourcesAsync());
        var centerMask = report.Models.Single(m => m.Model == "CenterMask (L)");
        var unet = report.Models.Single(m => m.Model == "U-Net (L)");

        // Whole set: detections in score order TP, TP, FP against 3 cells, at every IoU (the masks are exact):
        // interpolated precision 1 up to recall 2/3, so 67 of the 101 recall points → AP = 67/101; AFNR = 1 − 2/3.
        var all = report.Cell(centerMask, "LIVECell", "AP");
        Assert.Equal(67.0 / 101, all.Value!.Value, 12);
        Assert.Equal(0.347, all.Paper!.Value, 12);
        Assert.Equal(67.0 / 101 - 0.347, all.Delta!.Value, 12);
        Assert.Equal(1.0 / 3, report.Cell(centerMask, "LIVECell", "AFNR").Value!.Value, 12);
        Assert.Equal(1.0 / 3 - 0.562, report.Cell(centerMask, "LIVECell", "AFNR").Delta!.Value, 12);
        // A172: one of its two cells found → recall 1/2 → AP = 51/101, AFNR 1/2. MCF7: its one cell → AP 1, AFNR 0.
        Assert.Equal(51.0 / 101, report.Cell(centerMask, "A172", "AP").Value!.Value, 12);
        Assert.Equal(0.5, report.Cell(centerMask, "A172", "AFNR").Value!.Value, 12);
        Assert.Equal(1.0, report.Cell(centerMask, "MCF7", "AP").Value!.Value, 12);
        Assert.Equal(0.0, report.Cell(centerMask, "MCF7", "AFNR").Value!.Value, 12);
        // F1 of the union masks (the false positive scores under 0.5, so it is not painted): A172 36 of 72 cell
        // pixels found, none extra → 2·36/(2·36 + 36) = 2/3; pooled over both images 2·72/(2·72 + 36) = 4/5.
        Assert.Equal(2.0 / 3, report.Cell(centerMask, "A172", "F1").Value!.Value, 12);
        Assert.Equal(0.8, report.Cell(centerMask, "LIVECell", "F1").Value!.Value, 12);
        Assert.Equal(0.8 - 0.823, report.Cell(centerMask, "LIVECell", "F1").Delta!.Value, 12);
        // The semantic report's model: Table 1's U-Net (L).
        Assert.Equal(0.6 - 0.5873, report.Cell(unet, "LIVECell", "F1").Delta!.Value, 12);
        Assert.Equal(0.5 - 0.4391, report.Cell(unet, "A172", "F1").Delta!.Value, 12);
        Assert.Null(report.Cell(unet, "MCF7", "F1").Value);
        Assert.Null(report.Cell(unet, "LIVECell", "AP").Value);
        Assert.Equal(["LIVECell", .. CellTypes.All], report.Rows);

        var md = RunReportMarkdown.Render(report);
        Assert.Contains("| LIVECell | 0.6000 (paper 0.5873, +0.0127) | 0.8000 (paper 0.8230, −0.0230) |", md);
        Assert.Contains("| A172 | 0.5050 (paper 0.2050, +0.3000) |", md);
        Assert.Contains("| SH-SY5Y | – (paper 0.1590) |", md);

        var html = RunReportHtml.Render(report);
        foreach (var metric in new[] { "F1", "AP", "AFNR" })
        {
            Assert.Contains($"<table class=\"scores\" data-metric=\"{metric}\">", html);
        }

        // AFNR 0.3333 against the paper's 0.5620 is better (lower): green; F1 0.8000 against 0.8230 is worse: red.
        Assert.Contains("paper 0.5620 (T3) <span class=\"better\">−0.2287</span>", html);
        Assert.Contains("paper 0.8230 (T3) <span class=\"worse\">−0.0230</span>", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);

        var json = RunReportJson.ToJson(report);
        var cell = json["tables"]!["AP"]!["rows"]![0]!["cells"]![0]!;
        Assert.Equal("CenterMask (L)", cell["model"]!.GetValue<string>());
        Assert.Equal(67.0 / 101, cell["value"]!.GetValue<double>(), 12);
        Assert.Equal(3, cell["paperTable"]!.GetValue<int>());
    }

    [Fact]
    public async Task Every_section_has_its_figures_when_the_run_has_every_input()
    {
        var report = await RunReportBuilder.BuildAsync(await SourcesAsync());
        var figures = report.Sections.ToDictionary(s => s.Id, s => s.Figures.Select(f => f.Id).ToList());
        Assert.Equal(["pr50-CenterMask (L)", "pr75-CenterMask (L)"], figures["pr-curves"]);
        Assert.Equal(["apiou-CenterMask (L)"], figures["ap-per-iou"]);
        Assert.Equal(["bars-F1", "bars-AFNR"], figures["bars"]);
        Assert.Equal(["training-loss", "training-lr"], figures["training"]);
        Assert.Equal(["overlay-CenterMask (L)-A172", "overlay-CenterMask (L)-MCF7"], figures["overlays"]);
        Assert.Equal(["gantt"], figures["steps"]);
        Assert.All(report.Sections.SelectMany(s => s.Figures), f => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], f.Png[..4]));
        Assert.Contains("matched 1, false positives 1, missed 1", report.Sections.Single(s => s.Id == "overlays").Figures[0].Caption);
        // What the run lacks is said: no validation F1 in a CenterMask history, no overlay of a semantic model.
        Assert.Contains("no validation F1", report.Sections.Single(s => s.Id == "training").Missing);
        Assert.Contains("U-Net (L)", report.Sections.Single(s => s.Id == "overlays").Missing);
        Assert.Equal(3, report.Steps.Count);

        // Kept for a person to look at (TestResults is not committed).
        await RunReportWriter.WriteAsync(report, Path.Combine(TestPaths.RepoRoot, "TestResults", "run-report-tiny"));
    }

    [Fact]
    public async Task A_U_Nets_kept_masks_are_overlaid_beside_CenterMask_per_cell_type_with_the_datasets_pictures()
    {
        var sources = await SourcesAsync();
        var dir = Path.GetDirectoryName(sources.SemanticReports[0])!;
        // The U-Net's mask of the A172 image covers its first cell exactly (matched) and misses the second; it kept no MCF7 mask.
        var masks = Path.Combine(dir, "unet-masks");
        Directory.CreateDirectory(masks);
        var mask = GrayImage.Create8(20, 20);
        for (var y = 2; y < 8; y++)
        {
            for (var x = 2; x < 8; x++)
            {
                mask.Pixels8[y * 20 + x] = 255;
            }
        }

        await GrayImageIO.WritePngAsync(mask, Path.Combine(masks, Path.GetFileNameWithoutExtension(A172) + ".png"));
        var picture = Path.Combine(dir, "pca.png");
        await GrayImageIO.WritePngAsync(GrayImage.Create8(8, 8), picture);
        var images = Path.Combine(dir, "images");
        var report = await RunReportBuilder.BuildAsync(sources with
        {
            SemanticOverlays = [new SemanticOverlaySource("U-Net (L)", sources.Overlays[0].GroundTruthPath, f => Path.Combine(masks, Path.GetFileNameWithoutExtension(f) + ".png"), f => Path.Combine(images, f))],
            OverlayModels = ["CenterMask (L)", "U-Net (L)", "Oracle V-99"],
            PcaPlots = [new PictureSource("original and extended (Figure 2)", picture)],
            SyntheticPreviews = [new PictureSource("the paper's uniform cap", picture)],
            Budget = "smoke: a plumbing check",
        });

        var overlays = report.Sections.Single(s => s.Id == "overlays");
        // Grouped by cell type, the models in the order asked: CenterMask beside the U-Net on A172; MCF7 has no U-Net mask.
        Assert.Equal(["overlay-CenterMask (L)-A172", "overlay-U-Net (L)-A172", "overlay-CenterMask (L)-MCF7"], overlays.Figures.Select(f => f.Id));
        Assert.Equal(["A172", "A172", "MCF7"], overlays.Figures.Select(f => f.Group));
        Assert.Contains("U-Net (L) on A172: 1 image(s); matched 1, false positives 0, missed 1 (cells: the 8-connected components of its mask)", overlays.Figures[1].Caption);
        Assert.Contains("Oracle V-99 is not in this run.", overlays.Missing);
        Assert.Contains($"U-Net (L): no mask of image {Mcf7} was kept.", overlays.Missing);
        Assert.Equal(["pca-original-and-extended-figure-2"], report.Sections.Single(s => s.Id == "pca").Figures.Select(f => f.Id));
        Assert.Equal(["synthetic-the-paper-s-uniform-cap"], report.Sections.Single(s => s.Id == "synthetic").Figures.Select(f => f.Id));
        Assert.Equal(["pca", "synthetic", "pr-curves", "ap-per-iou", "bars", "training", "overlays", "steps"], report.Sections.Select(s => s.Id));

        var html = RunReportHtml.Render(report);
        Assert.Contains("<div class=\"beside\" data-group=\"A172\"><h3>A172</h3><div class=\"row\"><figure data-figure=\"overlay-CenterMask (L)-A172\">", html);
        Assert.Contains("<p class=\"meta\" data-budget>budget smoke: a plumbing check</p>", html);
        Assert.Equal("smoke: a plumbing check", RunReportJson.ToJson(report)["budget"]!.GetValue<string>());

        // A picture that is not a PNG is refused with its path.
        var notPng = Path.Combine(dir, "plot.png");
        await File.WriteAllTextAsync(notPng, "no image");
        var ex = await Assert.ThrowsAsync<FormatException>(() => RunReportBuilder.BuildAsync(new RunReportSources { PcaPlots = [new PictureSource("x", notPng)] }));
        Assert.Equal($"{notPng}: not a PNG (x)", ex.Message);
    }

    [Fact]
    public async Task A_run_without_any_input_gives_a_report_that_says_what_is_missing()
    {
        var report = await RunReportBuilder.BuildAsync(new RunReportSources { Title = "empty" });
        Assert.NotNull(report.TablesMissing);
        Assert.All(report.Sections, s => Assert.Empty(s.Figures));
        Assert.All(report.Sections, s => Assert.False(string.IsNullOrEmpty(s.Missing)));
        var folder = TestPaths.NewTempFolder();
        var files = await RunReportWriter.WriteAsync(report, folder);
        var html = await File.ReadAllTextAsync(files.Html);
        Assert.Contains("no evaluation report", html);
        Assert.Contains("no training history in this run", html);
        Assert.Contains("no step timings", html);
        Assert.Contains("no evaluation report", await File.ReadAllTextAsync(files.Markdown));
        Assert.NotNull(JsonNode.Parse(await File.ReadAllTextAsync(files.Json))!["tablesMissing"]);
        Assert.Equal(["report.html", "report.json", "report.md"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_file_that_is_not_a_report_is_refused_with_its_path()
    {
        // EvaluateSemantic's report when it scored nothing (a champion that does not exist yet) is no model, not an error.
        var empty = Path.Combine(TestPaths.NewTempFolder(), "semantic.json");
        await File.WriteAllTextAsync(empty, """{ "split": "test", "models": [] }""");
        Assert.NotNull((await RunReportBuilder.BuildAsync(new RunReportSources { SemanticReports = [empty] })).TablesMissing);

        var bad = Path.Combine(TestPaths.NewTempFolder(), "semantic.json");
        await File.WriteAllTextAsync(bad, """{ "hello": 1 }""");
        var ex = await Assert.ThrowsAsync<FormatException>(() => RunReportBuilder.BuildAsync(new RunReportSources { SemanticReports = [bad] }));
        Assert.Contains(bad, ex.Message);
        await File.WriteAllTextAsync(bad, "{ not json");
        ex = await Assert.ThrowsAsync<FormatException>(() => RunReportBuilder.BuildAsync(new RunReportSources { InstanceReports = [bad] }));
        Assert.Contains(bad, ex.Message);
        var csv = Path.Combine(TestPaths.NewTempFolder(), "history.csv");
        await File.WriteAllTextAsync(csv, "epoch,iteration,mean_loss,validation_f1,learning_rate\n1,10,0.5,,0.01\n2,twenty,0.4,0.3,0.01\n");
        ex = await Assert.ThrowsAsync<FormatException>(() => RunReportBuilder.BuildAsync(new RunReportSources { Histories = [new HistorySource("u", csv)] }));
        Assert.Contains($"{csv}: line 3: 'iteration'", ex.Message);
    }

    [Fact]
    public async Task Comparing_two_runs_puts_both_values_and_the_difference_side_by_side()
    {
        var a = await RunReportBuilder.BuildAsync(await SourcesAsync(unetF1: 0.6) with { RunId = "run-a" });
        var b = await RunReportBuilder.BuildAsync(await SourcesAsync(unetF1: 0.45) with { RunId = "run-b" });
        Assert.Equal((0.6, 0.45), RunComparison.Values(a, b, "U-Net (L)", "LIVECell", "F1"));
        var md = RunComparison.Markdown(a, b);
        Assert.Contains("| LIVECell | 0.6000 | 0.4500 | −0.1500 | 0.8000 | 0.8000 | +0.0000 |", md);
        var html = RunComparison.Html(a, b);
        Assert.Contains("<td>0.6000</td><td>0.4500</td><td class=\"worse\">−0.1500</td>", html);
        var json = JsonNode.Parse(RunComparison.Json(a, b))!;
        Assert.Equal(-0.15, json["tables"]!["F1"]!["rows"]![0]!["cells"]![0]!["delta"]!.GetValue<double>(), 12);
        var files = await RunComparison.WriteAsync(a, b, TestPaths.NewTempFolder());
        Assert.EndsWith("compare.html", files.Html);
    }

    [Fact]
    public void History_recovers_warm_up_and_milestones_from_the_learning_rates()
    {
        var h = TrainingHistory.Parse("m", "h.csv", ["iteration,learning_rate,total_loss", "0,0.001,3", "10,0.004,2", "20,0.01,2", "30,0.01,1", "40,0.001,1", "50,0.001,1", "60,0.0001,1"]);
        Assert.Equal(20, h.WarmupEnd);
        Assert.Equal([30L, 50L], h.Milestones);
        var flat = TrainingHistory.Parse("u", "u.csv", ["epoch,iteration,mean_loss,validation_f1,learning_rate", "1,5,0.9,,0.01", "2,10,0.8,0.42,0.01"]);
        Assert.Null(flat.WarmupEnd);
        Assert.Empty(flat.Milestones);
        Assert.Equal([null, 0.42], flat.Points.Select(p => p.ValidationF1));
    }
}
