using System.IO.Compression;
using CellSeg.Data.Imaging;

namespace CellSeg.Synthesis.Tests;

public sealed class TiffStreamTests
{
    [Theory]
    [InlineData(CompressionLevel.Fastest)]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public async Task Incompressible_noise_round_trips_through_the_stream_writer(CompressionLevel level)
    {
        var random = new SeededRandom(5);
        var pixels = new byte[704 * 520];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)random.NextUInt64();
        }

        var path = Path.Combine(TestPaths.NewTempFolder(), "noise.tif");
        await using (var stream = File.Create(path))
        {
            await GrayImageIO.WriteTiffAsync(new GrayImage(704, 520, pixels), stream, level);
        }

        var back = await GrayImageIO.ReadAsync(path);
        Assert.Equal(pixels, back.Pixels8);
    }
}
