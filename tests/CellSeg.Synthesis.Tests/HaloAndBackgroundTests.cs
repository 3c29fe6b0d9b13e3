using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Synthesis.Diagnostics;

namespace CellSeg.Synthesis.Tests;

public sealed class HaloAndBackgroundTests
{
    /// <summary>Mean of (value − level) over a cell's halo pixels 1 px outside its mask (the source's, or where a neighbour lay there, the visible ring's mean).</summary>
    private static double SourceRim(BankCell cell)
    {
        var halo = cell.Halo!;
        int m = halo.Margin, gw = cell.Width + 2 * m, gh = cell.Height + 2 * m;
        var own = new ushort[gw * gh];
        for (var y = 0; y < cell.Height; y++)
        {
            for (var x = 0; x < cell.Width; x++)
            {
                own[(y + m) * gw + x + m] = cell.Mask[y * cell.Width + x];
            }
        }

        var d = BoundaryDistance.Signed(own, gw, gh, m + 1);
        var rim = Enumerable.Range(0, gw * gh).Where(g => d[g] == 1).Select(g => halo.Pixels[g] - (double)halo.Level).ToList();
        return rim.Count == 0 ? 0 : rim.Average();
    }

    /// <summary>Mean of (pasted image − rendered background) 1 px outside the single pasted cell.</summary>
    private static double PastedRim(CellBank bank, string type, ComposedImage image)
    {
        var background = new byte[image.Width * image.Height];
        BackgroundRenderer.Render(bank.BackgroundsOf(type)[image.BackgroundIndex], image.BackgroundFlips, image.BackgroundOffsetX, image.BackgroundOffsetY, background, image.Width, image.Height);
        var d = BoundaryDistance.Signed(image.Labels, image.Width, image.Height, 4);
        return Enumerable.Range(0, d.Length).Where(i => d[i] == 1).Average(i => image.Pixels[i] - (double)background[i]);
    }

    [Fact]
    public async Task A_pasted_cell_keeps_the_rim_of_its_source_and_a_hard_cut_has_none()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var composer = new ImageComposer();
        // Quarter turns and flips keep distances to the boundary exactly, so the rims must match closely;
        // arbitrary angles resample the ring (nearest neighbour) and keep most of it.
        var haloOn = new SynthesisOptions { Width = 160, Height = 128, Overlap = OverlapMode.None, MinVisibleFraction = 1, ArbitraryRotation = false };
        var rotated = haloOn with { ArbitraryRotation = true };
        var haloOff = haloOn with { PasteHalo = false };
        var checkedCells = 0;
        foreach (var type in new[] { CellTypes.MCF7, CellTypes.SkBr3, CellTypes.A172 })
        {
            for (var seed = 1UL; seed < 400 && checkedCells < 9; seed++)
            {
                // One whole cell, fully inside the image (MinVisibleFraction 1), whose source rim is clearly bright.
                var image = composer.Compose(bank, type, 1, haloOn, seed);
                if (image.Placements.Count != 1 || image.Placements[0].Cell.Halo is null || SourceRim(image.Placements[0].Cell) < 4)
                {
                    continue;
                }

                var source = SourceRim(image.Placements[0].Cell);
                var pasted = PastedRim(bank, type, image);
                Assert.True(Math.Abs(pasted - source) < 0.5, $"{type} seed {seed}: rim {pasted:0.00} pasted vs {source:0.00} in the source");
                var turned = composer.Compose(bank, type, 1, rotated, seed);
                if (turned.Placements.Count == 1)
                {
                    var rim = PastedRim(bank, type, turned);
                    var expected = SourceRim(turned.Placements[0].Cell);
                    Assert.True(rim > 0.6 * expected && rim < 1.2 * expected, $"{type} seed {seed}, any angle: rim {rim:0.00} pasted vs {expected:0.00} in the source");
                }

                Assert.Equal(0, PastedRim(bank, type, composer.Compose(bank, type, 1, haloOff, seed)), 9);
                checkedCells++;
            }
        }

        Assert.True(checkedCells >= 6, $"only {checkedCells} cells with a bright rim were found");
    }

    [Fact]
    public async Task Halos_survive_a_bank_file_round_trip()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var path = Path.Combine(TestPaths.NewTempFolder(), "bank.bin");
        await CellBankFile.SaveAsync(bank, path);
        var loaded = await CellBankFile.LoadAsync(path);
        var a = bank.CellsOf(CellTypes.MCF7);
        var b = loaded.CellsOf(CellTypes.MCF7);
        Assert.Equal(a.Count, b.Count);
        Assert.True(a.Count(c => c.Halo is not null) > a.Count / 2);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Halo?.Level, b[i].Halo?.Level);
            Assert.Equal(a[i].Halo?.Pixels, b[i].Halo?.Pixels);
            Assert.Equal(a[i].Halo?.Weight, b[i].Halo?.Weight);
        }
    }

    /// <summary>Two 96×80 images: background 100 ± 3, two square cells of value 250 annotated, plus their 2-px rim at 180.</summary>
    private static async Task<string> TinyDatasetAsync(string folder)
    {
        var images = new List<string>();
        var annotations = new List<string>();
        var random = new Random(4);
        for (var k = 1; k <= 2; k++)
        {
            const int w = 96, h = 80;
            var pixels = new byte[w * h];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (byte)(100 + random.Next(-3, 4));
            }

            foreach (var (x0, y0, id) in new[] { (20 + k, 20, 10 * k), (55, 40 + k, 10 * k + 1) })
            {
                for (var y = y0 - 2; y < y0 + 16 + 2; y++)
                {
                    for (var x = x0 - 2; x < x0 + 16 + 2; x++)
                    {
                        var inside = x >= x0 && x < x0 + 16 && y >= y0 && y < y0 + 16;
                        pixels[y * w + x] = inside ? (byte)250 : (byte)180;
                    }
                }

                annotations.Add($$"""{"id":{{id}},"image_id":{{k}},"category_id":1,"iscrowd":0,"area":256,"bbox":[{{x0}},{{y0}},16,16],"segmentation":[[{{x0}},{{y0}},{{x0 + 16}},{{y0}},{{x0 + 16}},{{y0 + 16}},{{x0}},{{y0 + 16}}]]}""");
            }

            var name = $"A172_Phase_T{k}_1_00d00h00m_1.tif";
            await GrayImageIO.WriteTiffAsync(new GrayImage(w, h, pixels), Path.Combine(folder, name));
            images.Add($$"""{"id":{{k}},"file_name":"{{name}}","width":{{w}},"height":{{h}}}""");
        }

        var json = Path.Combine(folder, "tiny.json");
        await File.WriteAllTextAsync(json, $$"""{"images":[{{string.Join(",", images)}}],"annotations":[{{string.Join(",", annotations)}}],"categories":[{"id":1,"name":"cell"}]}""");
        return json;
    }

    [Fact]
    public async Task No_source_cell_or_rim_pixel_leaks_into_a_synthetic_background()
    {
        var folder = TestPaths.NewTempFolder();
        var coco = await CocoReader.LoadAsync(await TinyDatasetAsync(folder));
        var bank = await CellBank.BuildAsync(coco, folder);
        var backgrounds = bank.BackgroundsOf(CellTypes.A172);
        Assert.Equal(2, backgrounds.Count);
        foreach (var background in backgrounds)
        {
            // Cells (250) and their rims (180, within the 3-px background margin) are replaced by the local
            // background level plus pooled background texture: nothing brighter than the real background remains.
            Assert.True(background.Pixels.Max() <= 110, $"background of image {background.SourceImageId}: max {background.Pixels.Max()}");
            Assert.InRange(background.Pixels.Average(b => (double)b), 98, 102);
        }

        // The cells' own rims went into their halos instead (180 − level 100 one pixel out).
        var cell = bank.CellsOf(CellTypes.A172)[0];
        Assert.NotNull(cell.Halo);
        Assert.InRange(SourceRim(cell), 75, 85);
    }
}

public sealed class SeamlessFillTests
{
    /// <summary>Mean squared difference of horizontally neighbouring filled pixels across 8-px block edges over that within blocks.</summary>
    private static double SeamRatio(SyntheticBackground background)
    {
        double seam = 0, inner = 0;
        long ns = 0, ni = 0;
        for (var y = 0; y < background.Height; y++)
        {
            for (var x = 0; x + 1 < background.Width; x++)
            {
                var i = y * background.Width + x;
                double d = background.Pixels[i + 1] - background.Pixels[i];
                if (x % 8 == 7)
                {
                    seam += d * d;
                    ns++;
                }
                else
                {
                    inner += d * d;
                    ni++;
                }
            }
        }

        return seam / ns / (inner / ni);
    }

    [Fact]
    public async Task Seamless_filling_leaves_no_block_edges_and_keeps_the_texture_strength()
    {
        var (tiled, _, _) = await RealBank.GetTiledAsync();
        var (seamless, _, _) = await RealBank.GetAsync();
        var background = seamless.BackgroundsOf(CellTypes.MCF7)[0];
        var before = tiled.BackgroundsOf(CellTypes.MCF7)[0];
        Assert.Equal(before.SourceImageId, background.SourceImageId);

        // MCF7's backgrounds are mostly filled (dense images): the tiled fill shows its 8-px grid.
        Assert.True(SeamRatio(before) > 1.15, $"tiled seam ratio {SeamRatio(before):0.00}");
        Assert.InRange(SeamRatio(background), 0.9, 1.08);

        // Texture strength (std of horizontal differences) stays within 15 % of the tiled fill's.
        static double Roughness(SyntheticBackground b) => Math.Sqrt(Enumerable.Range(0, b.Pixels.Length - 1).Where(i => (i + 1) % b.Width != 0).Average(i => Math.Pow(b.Pixels[i + 1] - b.Pixels[i], 2)));
        Assert.InRange(Roughness(background) / Roughness(before), 0.85, 1.15);
    }
}
