using System.Text.Json;

namespace CellSegFlows.Cli.Tests;

public sealed class QuickstartCommandTests
{
    [Fact]
    public async Task Baseline_makes_data_segments_evaluates_and_writes_reports()
    {
        var dir = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("baseline", "--out", dir, "--images-per-cell-type", "1");

        Assert.True(code == 0, output);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
        foreach (var file in new[] { "predictions.json", "report.json", "report.md", "overlay.png", "sample/annotations.json" })
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), file + " missing");
        }

        Assert.Equal(8, Directory.GetFiles(Path.Combine(dir, "sample", "images"), "*.tif").Length);
        using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dir, "report.json")));
        var root = report.RootElement;
        Assert.Equal("livecell", root.GetProperty("params").GetString());
        Assert.Equal(8, root.GetProperty("per_cell_type").EnumerateObject().Count());

        // The classical baseline is a real segmenter: clearly better than nothing, clearly short of perfect.
        Assert.InRange(root.GetProperty("AP50").GetDouble(), 0.2, 0.99);
        Assert.InRange(root.GetProperty("F1").GetDouble(), 0.5, 0.999);
    }

    [Fact]
    public async Task Quickstart_is_deterministic_for_a_seed()
    {
        var a = TestPaths.NewTempFolder();
        var b = TestPaths.NewTempFolder();
        await CliRunner.RunAsync("baseline", "--out", a, "--images-per-cell-type", "1", "--seed", "7");
        await CliRunner.RunAsync("baseline", "--out", b, "--images-per-cell-type", "1", "--seed", "7");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(a, "predictions.json")), await File.ReadAllBytesAsync(Path.Combine(b, "predictions.json")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(a, "sample", "annotations.json")), await File.ReadAllBytesAsync(Path.Combine(b, "sample", "annotations.json")));
    }

    [Fact]
    public async Task Quickstart_runs_on_real_livecell_images()
    {
        var dir = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync(
            "baseline", "--out", dir,
            "--gt", TestPaths.ValAnnotations,
            "--images", Path.Combine(TestPaths.LivecellSample, "images", "livecell_train_val_images"));
        Assert.True(code == 0, output);
        Assert.Contains("ground truth: 5 images, 1243 cells", output);
    }

    [Fact]
    public async Task The_old_name_quickstart_still_runs_the_baseline_with_a_deprecation_warning()
    {
        var dir = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("quickstart", "--out", dir, "--images-per-cell-type", "1");
        Assert.True(code == 0, output);
        Assert.Contains("warning: 'quickstart' is now 'baseline'", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "report.json")));
    }
}
