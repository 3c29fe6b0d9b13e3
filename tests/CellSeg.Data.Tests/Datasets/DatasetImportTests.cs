using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Data.Datasets;

namespace CellSeg.Data.Tests.Datasets;

public sealed class DatasetImportTests
{
    /// <summary>Image file name → annotation count, from the sample's MANIFEST.tsv (written by whoever staged the data, not by us).</summary>
    private static Dictionary<string, (string Split, string CellType, int Count)> Manifest() =>
        File.ReadLines(Path.Combine(TestData.LivecellSample, "MANIFEST.tsv")).Skip(1)
            .Select(l => l.Split('\t'))
            .Where(f => f[0].StartsWith("images/", StringComparison.Ordinal) && f[7] is { Length: > 0 } && f[7] != "-")
            .ToDictionary(f => Path.GetFileName(f[0]), f => (f[4], f[5], int.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task Imports_the_real_test_split_and_finds_every_image()
    {
        using var temp = new TempDirectory();
        var import = await DatasetImporter.ImportAsync(new DatasetImportOptions { Root = TestData.LivecellSample, Split = "test", OutputFolder = temp.Path });

        Assert.False(import.IsSubset);
        Assert.Equal(Path.Combine(TestData.LivecellSample, "annotations", "livecell_coco_test.json"), import.AnnotationsPath);
        Assert.Equal(15, import.Images.Count);
        Assert.Equal(3285, import.Dataset.Annotations.Count);
        Assert.All(import.Images, i => Assert.True(File.Exists(i.Path), i.Path));
        Assert.All(import.Images, i => Assert.Equal(i.Image.FileName, Path.GetFileName(i.Path)));
        Assert.Empty(import.Issues);
    }

    [Fact]
    public async Task Filters_by_cell_type_and_count_and_writes_a_subset_that_reads_back()
    {
        using var temp = new TempDirectory();
        var import = await DatasetImporter.ImportAsync(new DatasetImportOptions
        {
            Root = TestData.LivecellSample, Split = "test", CellTypes = ["skov3", "A172"], MaxImagesPerCellType = 2, OutputFolder = temp.Path,
        });

        Assert.True(import.IsSubset);
        Assert.StartsWith(temp.Path, import.AnnotationsPath, StringComparison.Ordinal);
        var types = import.Images.Select(i => i.Image.FileName.Split('_')[0]).ToList();
        Assert.Equal(["A172", "A172", "SKOV3", "SKOV3"], types.Order(StringComparer.Ordinal));
        var reread = await CocoReader.LoadAsync(import.AnnotationsPath);
        var expected = Manifest();
        Assert.Equal(import.Images.Sum(i => expected[i.Image.FileName].Count), reread.Annotations.Count);
        Assert.Equal(import.Images.Select(i => i.Image.Id).Order(), reread.Images.Select(i => i.Id).Order());
    }

    [Fact]
    public async Task A_missing_image_is_an_error_naming_the_file_and_image_or_in_lenient_mode_a_listed_skip()
    {
        using var temp = new TempDirectory();
        var root = CopyTestSplit(temp, skip: "SkBr3");
        var strict = await Assert.ThrowsAsync<DataFormatException>(() => DatasetImporter.ImportAsync(new DatasetImportOptions { Root = root, Split = "test", OutputFolder = temp.File("out") }));
        Assert.Contains("livecell_coco_test.json", strict.Message, StringComparison.Ordinal);
        Assert.Contains("SkBr3_Phase", strict.Message, StringComparison.Ordinal);
        Assert.Contains("image file not found", strict.Message, StringComparison.Ordinal);

        var lenient = await DatasetImporter.ImportAsync(new DatasetImportOptions { Root = root, Split = "test", Lenient = true, OutputFolder = temp.File("out") });
        Assert.Equal(14, lenient.Images.Count);
        var issue = Assert.Single(lenient.Issues);
        Assert.Contains("SkBr3_Phase", issue.Record, StringComparison.Ordinal);
        Assert.True(lenient.IsSubset);
        Assert.DoesNotContain((await CocoReader.LoadAsync(lenient.AnnotationsPath)).Images, i => i.FileName.StartsWith("SkBr3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_annotation_records_are_listed_in_lenient_mode_and_reach_the_manifest()
    {
        using var temp = new TempDirectory();
        var root = CopyTestSplit(temp, skip: null);
        var json = temp.File("data", "annotations", "livecell_coco_test.json");
        var doc = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
        var bad = doc["annotations"]![3]!;
        var badId = bad["id"]!.GetValue<long>();
        bad["segmentation"] = new JsonArray(new JsonArray(1.0, 2.0, 3.0, 4.0));
        await File.WriteAllTextAsync(json, doc.ToJsonString());

        await Assert.ThrowsAsync<DataFormatException>(() => DatasetImporter.ImportAsync(new DatasetImportOptions { Root = root, Split = "test", OutputFolder = temp.File("out") }));
        var import = await DatasetImporter.ImportAsync(new DatasetImportOptions { Root = root, Split = "test", Lenient = true, OutputFolder = temp.File("out") });
        Assert.Equal(3284, import.Dataset.Annotations.Count);
        Assert.Contains(import.Issues, i => i.Record.Contains(badId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        var manifest = DatasetManifestBuilder.Build(import.Dataset, "damaged", "test"); // the imported dataset carries its issues
        Assert.Equal(import.Issues.Count, manifest.Issues.Count);
        Assert.Contains("1 records were skipped", DatasetManifestMarkdown.Render(manifest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hela", null, "cell type 'Hela'")]
    [InlineData(null, "holdout", "split 'holdout'")]
    public async Task Bad_options_are_refused_with_the_reason(string? cellType, string? split, string expected)
    {
        using var temp = new TempDirectory();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DatasetImporter.ImportAsync(new DatasetImportOptions
        {
            Root = TestData.LivecellSample, Split = split ?? "test", CellTypes = cellType is null ? null : [cellType], OutputFolder = temp.Path,
        }));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flat_folder_with_an_explicit_annotation_file_imports_under_any_split_name()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("flat");
        Directory.CreateDirectory(folder);
        foreach (var tif in Directory.EnumerateFiles(Path.Combine(TestData.LivecellSample, "images", "livecell_test_images")))
        {
            File.Copy(tif, Path.Combine(folder, Path.GetFileName(tif)));
        }

        File.Copy(TestPaths.TestAnnotations, Path.Combine(folder, "cells.json"));
        var import = await DatasetImporter.ImportAsync(new DatasetImportOptions { Root = folder, Split = "holdout", AnnotationsFile = "cells.json", OutputFolder = temp.File("out") });
        Assert.Equal(15, import.Images.Count);
        Assert.All(import.Images, i => Assert.Equal(folder, Path.GetDirectoryName(i.Path)));
    }

    /// <summary>A temporary copy of the sample's test split (annotations + images), leaving out one cell line's images.</summary>
    private static string CopyTestSplit(TempDirectory temp, string? skip)
    {
        File.Copy(TestPaths.TestAnnotations, temp.File("data", "annotations", "livecell_coco_test.json"));
        foreach (var tif in Directory.EnumerateFiles(Path.Combine(TestData.LivecellSample, "images", "livecell_test_images")))
        {
            if (skip is null || !Path.GetFileName(tif).StartsWith(skip + "_", StringComparison.Ordinal))
            {
                File.Copy(tif, temp.File("data", "images", "livecell_test_images", Path.GetFileName(tif)));
            }
        }

        return Path.Combine(temp.Path, "data");
    }
}
