using System.Security.Cryptography;
using CellSeg.Data.Livecell;

namespace CellSeg.Synthesis.Tests;

/// <summary>
/// Pins the exact output of <see cref="ImageComposer"/>: pixels, labels, placements and background choice
/// of composed images, hashed. The hashes were recorded before the composer was split into a rasteriser,
/// a placement ledger and a background renderer, so any change to what it draws shows here.
/// </summary>
public sealed class ComposedImageHashTests
{
    public static TheoryData<OverlapMode, bool, int, string> Cases() => new()
    {
        { OverlapMode.None, true, 60, "A250DE781F04F88CAB2D72ED7E9F42CD36A389132BAF81ACB906A179089D4541" },
        { OverlapMode.Bounded, true, 150, "D65147427B79C32B9A74EFE6EA3DAA58D64A859938479D466DEB76BC3E889C1B" },
        { OverlapMode.Bounded, false, 150, "BBD3973F201B2130A470958939999370D823E68D2E15979224BDC9B5DA176719" },
        { OverlapMode.Clustered, true, 300, "795D5228AEE219A1FD9D2FC75FFBCB3E885C47B77E20CF93F341AC9D204A5D45" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Composed_images_are_bit_identical_to_the_recorded_ones(OverlapMode mode, bool arbitraryRotation, int count, string expected)
    {
        var (bank, _, _) = await RealBank.GetTiledAsync();
        // Recorded before halos and seamless filling: with both off the composer must draw exactly what it did.
        var options = new SynthesisOptions { Width = 200, Height = 160, Overlap = mode, ArbitraryRotation = arbitraryRotation, Seed = 3, PasteHalo = false };
        var composer = new ImageComposer();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ComposedImage? reuse = null;
        foreach (var type in new[] { CellTypes.A172, CellTypes.SHSY5Y, CellTypes.SkBr3 })
        {
            for (var index = 0; index < 2; index++)
            {
                // Reusing the previous image's buffers must not change what is drawn.
                var image = composer.Compose(bank, type, count, options, SyntheticGenerator.ImageSeed(options.Seed, count, type, index), reuse);
                reuse = image;
                hash.AppendData(image.Pixels);
                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.Labels.AsSpan()));
                var header = $"{image.Width}x{image.Height} bg{image.BackgroundIndex} f{image.BackgroundFlips} {image.BackgroundOffsetX},{image.BackgroundOffsetY} n{image.Requested}";
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(header));
                foreach (var p in image.Placements)
                {
                    hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"|{p.Cell.SourceAnnotationId} {p.Label} {p.CenterX} {p.CenterY} {p.Cos} {p.Sin} {p.Flip}"));
                }
            }
        }

        var actual = Convert.ToHexString(hash.GetHashAndReset());
        Assert.True(expected == actual, $"{mode} {arbitraryRotation} {count}: composed images hash to {actual}, recorded {expected}");
    }
}
