using System.Text.Json;

namespace CellSegFlows.Cli.Tests;

public sealed class EvalCommandTests
{
    private static string Gt => TestPaths.TestAnnotations;

    private static string Ref(string name) => Path.Combine(TestPaths.Reference, name);

    [Fact]
    public async Task Eval_json_carries_the_pycocotools_numbers_at_its_top_level()
    {
        var json = Path.Combine(TestPaths.NewTempFolder(), "noisy.json");
        var (code, output) = await CliRunner.RunAsync("eval", "--gt", Gt, "--pred", Ref("pred_noisy.json"), "--json", json, "--by-cell-type");

        Assert.Equal(0, code);
        Assert.Contains("preset livecell", output);
        Assert.Contains("SKOV3", output);
        using var actual = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        using var reference = JsonDocument.Parse(await File.ReadAllBytesAsync(Ref("ref_noisy.json")));
        var expected = reference.RootElement.GetProperty("livecell");
        foreach (var field in new[] { "AP", "AP50", "AP75", "APs", "APm", "APl", "AFNR" })
        {
            Assert.Equal(expected.GetProperty(field).GetDouble(), actual.RootElement.GetProperty(field).GetDouble(), 9);
        }

        var perType = actual.RootElement.GetProperty("per_cell_type");
        Assert.Equal(["A172", "BT474", "Huh7", "MCF7", "SHSY5Y", "SkBr3", "SKOV3"], perType.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3285, perType.EnumerateObject().Sum(p => p.Value.GetProperty("n_gt").GetInt32()));
        var f1 = actual.RootElement.GetProperty("F1").GetDouble();
        Assert.InRange(f1, 0.5, 1.0);
    }

    [Fact]
    public async Task Coco_preset_reproduces_the_default_pycocotools_settings()
    {
        var json = Path.Combine(TestPaths.NewTempFolder(), "identity.json");
        var (code, _) = await CliRunner.RunAsync("eval", "--gt", Gt, "--pred", Ref("pred_identity.json"), "--preset", "coco", "--json", json);
        Assert.Equal(0, code);
        using var actual = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        using var reference = JsonDocument.Parse(await File.ReadAllBytesAsync(Ref("ref_identity.json")));
        var expected = reference.RootElement.GetProperty("coco_default");
        Assert.Equal(expected.GetProperty("AP").GetDouble(), actual.RootElement.GetProperty("AP").GetDouble(), 9);
        Assert.Equal(expected.GetProperty("AR").GetProperty("100").GetDouble(), actual.RootElement.GetProperty("AR").GetProperty("100").GetDouble(), 9);
    }

    public static TheoryData<string, string, string> Holdout => new()
    {
        { "livecell_coco_val.json", "val_pred_hard.json", "segm" },
        { "livecell_coco_val.json", "val_pred_noisy.json", "segm" },
        { "livecell_coco_test.json", "test_pred_hard.json", "segm" },
        { "livecell_coco_val.json", "val_pred_noisy_bbox.json", "bbox" },
        { "livecell_coco_val.json", "val_pred_noisy_bbox.json", "segm" },
    };

    [Theory]
    [MemberData(nameof(Holdout))]
    public async Task Holdout_prediction_files_evaluate_to_sane_numbers(string gtFile, string predFile, string iouType)
    {
        var dir = TestPaths.NewTempFolder();
        var json = Path.Combine(dir, "r.json");
        var md = Path.Combine(dir, "r.md");
        var (code, output) = await CliRunner.RunAsync(
            "eval", "--gt", Path.Combine(TestPaths.LivecellSample, "annotations", gtFile), "--pred", Path.Combine(TestPaths.Reference, "holdout", predFile),
            "--iou-type", iouType, "--by-cell-type", "--json", json, "--markdown", md);

        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        var root = doc.RootElement;
        Assert.Equal(iouType, root.GetProperty("iouType").GetString());
        Assert.InRange(root.GetProperty("AP").GetDouble(), 0.01, 1.0);
        Assert.InRange(root.GetProperty("AFNR").GetDouble(), 0.0, 1.0);
        var recall = root.GetProperty("recall_per_iou").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(10, recall.Length);
        Assert.Equal(recall.Average(r => 1 - r), root.GetProperty("AFNR").GetDouble(), 12);
        Assert.True(recall.Zip(recall.Skip(1)).All(p => p.First >= p.Second), "recall must not rise with the IoU threshold");
        Assert.True(root.GetProperty("per_cell_type").EnumerateObject().Any());
        Assert.Contains("| all |", await File.ReadAllTextAsync(md));
        Assert.Equal(iouType == "segm", root.TryGetProperty("F1", out _));
    }

    [Fact]
    public async Task A_bad_predictions_file_is_one_line_naming_file_and_record()
    {
        var dir = TestPaths.NewTempFolder();
        var pred = Path.Combine(dir, "bad.json");
        await File.WriteAllTextAsync(pred, """[{"image_id":117083,"category_id":1,"score":0.5,"segmentation":{"size":[520,704],"counts":"0"}},{"image_id":117083,"category_id":1,"segmentation":{"size":[520,704],"counts":"0"}}]""");
        var (code, output) = await CliRunner.RunAsync("eval", "--gt", Gt, "--pred", pred);

        Assert.Equal(2, code);
        var error = output.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains(pred, error);
        Assert.Contains("result 0", error);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Lenient_eval_skips_bad_predictions_and_lists_them()
    {
        var dir = TestPaths.NewTempFolder();
        var pred = Path.Combine(dir, "mixed.json");
        await File.WriteAllTextAsync(pred, """[{"image_id":117083,"category_id":1,"score":0.5,"bbox":[1,1,5,5]},{"image_id":117083,"category_id":1,"bbox":[1,1,5,5]}]""");
        var json = Path.Combine(dir, "r.json");
        var (code, output) = await CliRunner.RunAsync("eval", "--gt", Gt, "--pred", pred, "--iou-type", "bbox", "--lenient", "--json", json);
        Assert.Equal(0, code);
        Assert.Contains("1 bad records skipped", output);
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        Assert.Contains("result 1: field 'score' is missing", doc.RootElement.GetProperty("skipped_records")[0].GetString());
    }

    [Theory]
    [InlineData(new[] { "eval", "--pred", "x.json" }, "--gt is required")]
    [InlineData(new[] { "eval", "--gt", "nope.json", "--pred", "x.json" }, "--gt: file not found: nope.json")]
    [InlineData(new[] { "eval", "--gt", "a", "--pred", "b", "--iou-type", "keypoints" }, "--iou-type must be segm or bbox")]
    [InlineData(new[] { "eval", "--gt", "a", "--pred", "b", "--preset", "voc" }, "--preset must be livecell or coco")]
    public async Task Wrong_options_are_one_line_and_exit_code_2(string[] args, string message)
    {
        var (code, output) = await CliRunner.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.DoesNotContain("   at ", output);
    }
}
