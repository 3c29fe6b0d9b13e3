using System.Security.Cryptography;
using System.Text;
using CellSeg.Data.Baselines;
using CellSeg.Data.Imaging;

namespace CellSeg.Data.Tests.Baselines;

public sealed class ContrastSegmenterTests
{
    /// <summary>
    /// Pins the baseline's exact output (every cell's RLE and score) on real LIVECell images. The hash was
    /// recorded before its components-to-instances step moved into <c>ComponentLabels.ToInstances</c>.
    /// </summary>
    private const string Recorded = "9D20FEAABC03DD230CB02F3464AF5D7B69C541A89A05754231FB77E22AB3C328";

    [Fact]
    public async Task Real_images_segment_to_the_recorded_cells_and_scores()
    {
        var folder = Path.Combine(TestData.LivecellSample, "images", "livecell_test_images");
        var files = Directory.EnumerateFiles(folder, "*.tif", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(3).ToList();
        Assert.Equal(3, files.Count);
        var text = new StringBuilder();
        var cells = 0;
        foreach (var file in files)
        {
            var image = await GrayImageIO.ReadAsync(file);
            foreach (var cell in ContrastSegmenter.Segment(image))
            {
                text.Append(cell.Mask.ToCompressedString()).Append(' ').Append(cell.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                cells++;
            }
        }

        Assert.True(cells > 10, $"{cells} cells");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        Assert.True(hash == Recorded, $"{cells} cells hash to {hash}, recorded {Recorded}");
    }
}
