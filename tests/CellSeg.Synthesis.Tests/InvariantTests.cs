using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Data.Masks;

namespace CellSeg.Synthesis.Tests;

public sealed class InvariantTests
{
    private static readonly SynthesisOptions Small = new() { Width = 256, Height = 192, ImagesPerCellType = 1, Seed = 11 };

    public static TheoryData<OverlapMode, int> Cases() => new()
    {
        { OverlapMode.None, 20 },
        { OverlapMode.None, 150 },
        { OverlapMode.Bounded, 20 },
        { OverlapMode.Bounded, 100 },
        { OverlapMode.Bounded, 300 },
        { OverlapMode.Clustered, 20 },
        { OverlapMode.Clustered, 100 },
        { OverlapMode.Clustered, 300 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_annotation_is_exactly_the_visible_pixels_of_its_pasted_cell(OverlapMode mode, int density)
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var options = Small with { Overlap = mode };
        var folder = TestPaths.NewTempFolder();
        var set = await SyntheticGenerator.GenerateAsync(bank, density, options, folder);
        await CheckSetAsync(bank, set, options, density);

        Assert.Equal(bank.CellTypes.Count, set.ImageFiles.Count);
        Assert.All(set.PerType, t => Assert.Equal(density, t.TargetDensity));
        Assert.True(set.Placed > 0);
        if (density <= 20 && mode == OverlapMode.Bounded)
        {
            Assert.Equal(0, set.Unplaced);
        }
    }

    [Fact]
    public async Task The_paper_s_top_density_on_full_size_images_keeps_the_invariant()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var options = new SynthesisOptions { ImagesPerCellType = 1, CellTypes = [CellTypes.SHSY5Y, CellTypes.SkBr3], Seed = 5 };
        var set = await SyntheticGenerator.GenerateAsync(bank, 1000, options, TestPaths.NewTempFolder());
        await CheckSetAsync(bank, set, options, 1000);
        Assert.All(set.PerType, t => Assert.True(t.Placed > 300, $"{t.CellType}: {t.Placed} of 1000 placed"));
    }

    /// <summary>Reads the written set back and checks every image and every annotation against an independent re-render.</summary>
    internal static async Task CheckSetAsync(CellBank bank, SyntheticSetResult set, SynthesisOptions options, int density)
    {
        var coco = await CocoReader.LoadAsync(set.AnnotationsPath);
        Assert.Equal(set.ImageFiles, coco.Images.Select(i => i.FileName));
        var composer = new ImageComposer();
        var perType = new Dictionary<string, int>();
        var occluded = 0;
        foreach (var entry in coco.Images)
        {
            var type = CellTypes.FromFileName(entry.FileName);
            var index = perType[type] = perType.GetValueOrDefault(type) + 1;
            Assert.Equal(SyntheticGenerator.ImageFileName(type, density, index - 1), entry.FileName);
            var target = set.PerType.Single(t => t.CellType == type).TargetDensity;
            var image = composer.Compose(bank, type, target, options, SyntheticGenerator.ImageSeed(options.Seed, density, type, index - 1));
            var expected = Rerender.Run(image, bank, type, options.PasteHalo);
            Assert.Equal(expected.Labels, image.Labels);

            var written = await GrayImageIO.ReadAsync(Path.Combine(set.ImagesFolder, entry.FileName));
            Assert.Equal((image.Width, image.Height), (written.Width, written.Height));
            Assert.Equal((entry.Width, entry.Height), (written.Width, written.Height));
            Assert.True(expected.Pixels.AsSpan().SequenceEqual(written.Pixels8), $"{entry.FileName}: pixels differ from the re-render (pasted values + background)");

            var annotations = coco.AnnotationsOf(entry.Id).OrderBy(a => a.Id).ToList();
            Assert.Equal(image.Placements.Count, annotations.Count);
            int w = written.Width, h = written.Height;
            var decoded = new ushort[w * h];
            for (var k = 0; k < annotations.Count; k++)
            {
                var a = annotations[k];
                var label = k + 1;
                var rle = Assert.IsType<RleSegmentation>(a.Segmentation).Rle;
                Assert.Equal((h, w), (rle.Height, rle.Width));

                // Paint the decoded mask (runs are column-major); masks must not overlap.
                long count = 0, position = 0;
                var runs = rle.Counts;
                for (var j = 0; j < runs.Length; j++)
                {
                    if ((j & 1) == 1)
                    {
                        for (var p = position; p < position + runs[j]; p++)
                        {
                            var i = (int)(p % h) * w + (int)(p / h);
                            Assert.True(decoded[i] == 0, $"{entry.FileName}: annotations {decoded[i]} and {label} share a pixel");
                            decoded[i] = (ushort)label;
                            count++;
                        }
                    }

                    position += runs[j];
                }

                if (k < 25)
                {
                    // The same string pycocotools' encode() gives for this binary mask.
                    var mask = new BinaryMask(h, w);
                    for (var i = 0; i < mask.Data.Length; i++)
                    {
                        mask.Data[i] = (byte)(expected.Labels[i] == label ? 1 : 0);
                    }

                    Assert.Equal(Rle.Encode(mask).ToCompressedString(), rle.ToCompressedString());
                }

                Assert.Equal(count, a.Area);
                Assert.Equal(rle.ToBbox(), a.Bbox);
                Assert.False(a.IsCrowd);
                Assert.Equal(1, a.CategoryId);

                // Visibility was decided before drawing: every annotated cell shows at least the minimum.
                var minimum = Math.Max(Math.Ceiling(options.MinVisibleFraction * expected.Footprint[label]), Math.Min(options.MinVisiblePixels, expected.Footprint[label]));
                Assert.True(count >= minimum, $"{entry.FileName} cell {label}: {count} of {expected.Footprint[label]} visible");
                if (count < expected.InImage[label])
                {
                    occluded++;
                }

                switch (options.Overlap)
                {
                    case OverlapMode.None:
                        Assert.Equal(0, expected.CoveredAtPaste[label]);
                        Assert.Equal(expected.InImage[label], count);
                        break;
                    case OverlapMode.Bounded:
                        Assert.True(expected.CoveredAtPaste[label] <= options.MaxOverlapFraction * expected.InImage[label]);
                        break;
                }
            }

            // Each annotation is exactly its cell's visible pixels, and no pasted pixel is left
            // unannotated: the decoded annotations reproduce the re-rendered label image.
            Assert.True(expected.Labels.AsSpan().SequenceEqual(decoded), $"{entry.FileName}: decoded annotations differ from the visible cells");
        }

        if (options.Overlap == OverlapMode.Clustered && set.Placed >= 100)
        {
            Assert.True(occluded > 0, "clustered placement should give occluded cells");
        }
    }
}
