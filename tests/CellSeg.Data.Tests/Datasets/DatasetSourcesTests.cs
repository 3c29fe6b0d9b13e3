using System.IO.Compression;
using CellSeg.Data.Datasets;

namespace CellSeg.Data.Tests.Datasets;

public sealed class DatasetSourcesTests
{
    [Fact]
    public async Task The_sample_draws_different_images_with_different_names_per_split()
    {
        using var temp = new TempDirectory();
        var train = await DatasetSources.PrepareAsync(new DatasetSourceOptions { Split = "train", ImagesPerCellType = 1, Width = 64, Height = 48, WorkFolder = temp.File("train") });
        var test = await DatasetSources.PrepareAsync(new DatasetSourceOptions { Split = "test", ImagesPerCellType = 1, Width = 64, Height = 48, WorkFolder = temp.File("test") });

        Assert.Equal(8, train.Images.Count);
        Assert.Equal(8, test.Images.Count);
        Assert.Empty(train.Images.Select(i => i.Image.FileName).Intersect(test.Images.Select(i => i.Image.FileName)));
        Assert.All(train.Images, i => Assert.Contains("_Phase_R", i.Image.FileName, StringComparison.Ordinal));
        Assert.NotEqual(await File.ReadAllBytesAsync(train.Images[0].Path), await File.ReadAllBytesAsync(test.Images[0].Path));

        var again = await DatasetSources.PrepareAsync(new DatasetSourceOptions { Split = "train", ImagesPerCellType = 1, Width = 64, Height = 48, WorkFolder = temp.File("again") });
        Assert.Equal(await File.ReadAllBytesAsync(train.Images[3].Path), await File.ReadAllBytesAsync(again.Images[3].Path));
    }

    [Fact]
    public async Task The_sample_keeps_only_the_cell_lines_asked_for()
    {
        using var temp = new TempDirectory();
        var import = await DatasetSources.PrepareAsync(new DatasetSourceOptions { CellTypes = ["SHSY5Y", "SkBr3"], ImagesPerCellType = 2, Width = 64, Height = 48, WorkFolder = temp.Path });
        Assert.Equal(4, import.Images.Count);
        Assert.True(import.IsSubset);
        Assert.All(import.Images, i => Assert.Matches("^(SHSY5Y|SkBr3)_", i.Image.FileName));
    }

    [Fact]
    public async Task A_dataset_folder_is_imported_with_a_cap_per_cell_line()
    {
        using var temp = new TempDirectory();
        var import = await DatasetSources.PrepareAsync(new DatasetSourceOptions { Source = TestData.LivecellSample, Split = "test", ImagesPerCellType = 1, WorkFolder = temp.Path });
        Assert.Equal(7, import.Images.Count); // the sample's test split has 7 cell lines (no BV2)
    }

    [Fact]
    public async Task Livecell_comes_from_a_mirror_folder_through_the_manifest_and_is_imported()
    {
        using var temp = new TempDirectory();
        var mirror = temp.File("mirror");
        File.Copy(TestPaths.TestAnnotations, temp.File("mirror", "annotations", "LIVECell", "livecell_coco_test.json"));
        using (var zip = ZipFile.Open(temp.File("mirror", "images.zip"), ZipArchiveMode.Create))
        {
            foreach (var tif in Directory.EnumerateFiles(Path.Combine(TestData.LivecellSample, "images", "livecell_test_images")))
            {
                var type = Path.GetFileName(tif).Split('_')[0];
                zip.CreateEntryFromFile(tif, $"images/livecell_test_images/{type}/{Path.GetFileName(tif)}", CompressionLevel.NoCompression);
            }
        }

        var import = await DatasetSources.PrepareAsync(new DatasetSourceOptions
        {
            Source = "livecell", Split = "test", ImagesPerCellType = 2, CellTypes = ["SKOV3"], BaseUrl = mirror, Destination = temp.File("cache"), WorkFolder = temp.File("work"),
        });

        Assert.Equal(2, import.Images.Count);
        Assert.All(import.Images, i => Assert.StartsWith(Path.Combine(temp.Path, "cache", "images", "livecell_test_images", "SKOV3"), i.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_split_is_refused()
    {
        using var temp = new TempDirectory();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DatasetSources.PrepareAsync(new DatasetSourceOptions { Split = "holdout", WorkFolder = temp.Path }));
        Assert.Contains("holdout", ex.Message, StringComparison.Ordinal);
    }
}
