using CellSeg.Data.Imaging;

namespace CellSeg.Data.Tests.Imaging;

/// <summary>Every real LIVECell TIFF in the shared sample, decoded by ImageSharp and by libtiff.</summary>
public sealed class SampleTiffTests
{
    public static TheoryData<string> SampleTiffs() => new(SampleTiffPaths());

    /// <summary>Paths relative to the sample folder of every TIFF under images/ and unannotated/.</summary>
    private static List<string> SampleTiffPaths()
    {
        var root = TestData.LivecellSample;
        return Directory.EnumerateFiles(Path.Combine(root, "images"), "*.tif", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "unannotated"), "*.tif"))
            .Select(file => Path.GetRelativePath(root, file))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [Fact]
    public void Sample_holds_the_tiffs_its_manifest_lists_plus_one_unannotated()
    {
        var listed = File.ReadLines(Path.Combine(TestData.LivecellSample, "MANIFEST.tsv"))
            .Skip(1)
            .Select(line => line.Split('\t')[0])
            .Where(path => path.EndsWith(".tif", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var found = SampleTiffPaths();

        Assert.Equal(52, listed.Count);
        Assert.Equal(listed, found.Where(path => path.StartsWith("images", StringComparison.Ordinal)));
        Assert.Equal(["unannotated/A172_Phase_A7_1_00d00h00m_1.tif"], found.Where(path => path.StartsWith("unannotated", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(SampleTiffs))]
    public async Task Sample_tiff_decodes_to_704x520_8bit_pixels_identical_to_libtiff(string relativePath)
    {
        var path = Path.Combine(TestData.LivecellSample, relativePath);

        var image = await GrayImageIO.ReadAsync(path);
        var reference = LibTiff.Decode(path);

        Assert.Equal((704, 520, 8), (image.Width, image.Height, image.BitDepth));
        Assert.Equal((704, 520, 8), (reference.Width, reference.Height, reference.BitDepth));
        Assert.True(reference.Pixels8.AsSpan().SequenceEqual(image.Pixels8), "ImageSharp and libtiff decode different pixels");
    }

    [Theory]
    [MemberData(nameof(SampleTiffs))]
    public async Task Sample_tiff_mean_is_near_128_as_LIVECell_normalises_it(string relativePath)
    {
        var image = await GrayImageIO.ReadAsync(Path.Combine(TestData.LivecellSample, relativePath));

        Assert.InRange(image.Mean(), 127.8, 128.3);
    }
}
