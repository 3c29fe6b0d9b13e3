namespace CellSegFlows.Cli.Tests;

public sealed class CocoStatsCommandTests
{
    [Fact]
    public async Task Stats_list_images_cells_and_cells_per_image_per_cell_type()
    {
        var (code, output) = await CliRunner.RunAsync("coco", "stats", TestPaths.TestAnnotations);
        Assert.Equal(0, code);
        Assert.Contains("15 images, 3285 annotations, 1 categories (1=cell)", output);
        var mcf7 = output.Split('\n').Single(l => l.Contains("MCF7", StringComparison.Ordinal));
        Assert.Contains("1205", mcf7);
        Assert.Contains("768", mcf7);
        var all = output.Split('\n').Single(l => l.Contains("│ all", StringComparison.Ordinal));
        Assert.Contains("3285", all);
        Assert.Contains("42", all);
    }

    [Fact]
    public async Task Malformed_file_is_a_one_line_error()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "broken.json");
        await File.WriteAllTextAsync(path, "{\"images\": [ {\"id\": 1,, } ] }");
        var (code, output) = await CliRunner.RunAsync("coco", "stats", path);
        Assert.Equal(2, code);
        Assert.Contains($"error: {path}: line 1", output);
        Assert.Contains("malformed JSON", output);
    }
}
