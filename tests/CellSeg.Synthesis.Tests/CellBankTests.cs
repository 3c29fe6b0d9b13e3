using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;

namespace CellSeg.Synthesis.Tests;

public sealed class CellBankTests
{
    [Fact]
    public async Task Bank_holds_every_real_annotation_per_cell_type_minus_the_documented_exclusions()
    {
        var (bank, test, val) = await RealBank.GetAsync();
        var annotationsPerType = new Dictionary<string, int>();
        var imagesPerType = new Dictionary<string, int>();
        foreach (var set in new[] { test, val })
        {
            foreach (var image in set.Images)
            {
                var type = CellTypes.FromFileName(image.FileName);
                annotationsPerType[type] = annotationsPerType.GetValueOrDefault(type) + set.AnnotationsOf(image.Id).Count;
                imagesPerType[type] = imagesPerType.GetValueOrDefault(type) + 1;
            }
        }

        Assert.Equal(4528, annotationsPerType.Values.Sum());
        Assert.Equal(annotationsPerType.Keys.Order(), bank.CellTypes.Order());
        foreach (var (type, count) in annotationsPerType)
        {
            var excluded = bank.ExclusionsOf(type);
            Assert.Equal(count, bank.CellsOf(type).Count + excluded.Total);
            Assert.Equal(imagesPerType[type], bank.CellsPerImageOf(type).Count);
            Assert.Equal(count, bank.CellsPerImageOf(type).Sum());
            Assert.True(excluded.Border > 0, $"{type}: real images have cells cut by the border");
            Assert.True(excluded.Border < count / 4, $"{type}: {excluded.Border} of {count} excluded at the border");
            Assert.Equal(0, excluded.Crowd);
        }

        foreach (var type in bank.CellTypes)
        {
            foreach (var cell in bank.CellsOf(type))
            {
                Assert.Equal(type, cell.CellType);
                Assert.Equal(cell.Area, cell.Mask.Count(m => m == 1));
                Assert.True(cell.Area >= new CellBankOptions().MinCellArea);
                Assert.Equal(cell.Width * cell.Height, cell.Pixels.Length);

                // The patch is the tight box of the mask: every edge row and column holds mask pixels.
                Assert.Contains((byte)1, cell.Mask.AsSpan(0, cell.Width).ToArray());
                Assert.Contains((byte)1, cell.Mask.AsSpan((cell.Height - 1) * cell.Width, cell.Width).ToArray());
                Assert.Contains(Enumerable.Range(0, cell.Height), y => cell.Mask[y * cell.Width] == 1);
                Assert.Contains(Enumerable.Range(0, cell.Height), y => cell.Mask[y * cell.Width + cell.Width - 1] == 1);
            }
        }
    }

    [Fact]
    public async Task A_cut_cell_has_exactly_the_pixels_of_its_pycocotools_mask()
    {
        var (bank, test, _) = await RealBank.GetAsync();
        var image = test.Images[0];
        var pixels = (await CellSeg.Data.Imaging.GrayImageIO.ReadAsync(Path.Combine(RealBank.TestImages, image.FileName))).Pixels8;
        var type = CellTypes.FromFileName(image.FileName);
        var cells = bank.CellsOf(type).Where(c => c.SourceImageId == image.Id).ToList();
        Assert.NotEmpty(cells);
        foreach (var cell in cells.Take(50))
        {
            var annotation = test.AnnotationsOf(image.Id).Single(a => a.Id == cell.SourceAnnotationId);
            var rle = annotation.Segmentation.ToRle(image.Height, image.Width);
            var box = rle.ToBbox();
            Assert.Equal(rle.Area, cell.Area);
            Assert.Equal((int)box.Width, cell.Width);
            Assert.Equal((int)box.Height, cell.Height);
            var mask = rle.Decode();
            for (var y = 0; y < cell.Height; y++)
            {
                for (var x = 0; x < cell.Width; x++)
                {
                    int ix = (int)box.X + x, iy = (int)box.Y + y;
                    Assert.Equal(mask[ix, iy], cell.Mask[y * cell.Width + x]);
                    Assert.Equal(pixels[iy * image.Width + ix], cell.Pixels[y * cell.Width + x]);
                }
            }
        }
    }

    [Fact]
    public async Task Backgrounds_look_like_phase_contrast_background_not_a_flat_fill()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        foreach (var type in bank.CellTypes)
        {
            var backgrounds = bank.BackgroundsOf(type);
            Assert.NotEmpty(backgrounds);
            foreach (var background in backgrounds)
            {
                var mean = background.Pixels.Average(p => (double)p);
                Assert.InRange(mean, 118, 138);

                // Real noise everywhere: every 32×32 tile, filled or not, has texture. LIVECell background
                // is quiet (tile std about 0.9–1.5 grey levels in the real images here); a flat fill gives
                // 0 and a blurred or diffused fill well under 0.5.
                for (var ty = 0; ty + 32 <= background.Height; ty += 32)
                {
                    for (var tx = 0; tx + 32 <= background.Width; tx += 32)
                    {
                        double s = 0, s2 = 0;
                        for (var y = ty; y < ty + 32; y++)
                        {
                            for (var x = tx; x < tx + 32; x++)
                            {
                                double v = background.Pixels[y * background.Width + x];
                                s += v;
                                s2 += v * v;
                            }
                        }

                        var std = Math.Sqrt(s2 / 1024 - s * s / 1024 / 1024);
                        Assert.True(std > 0.75, $"{type} background of image {background.SourceImageId}: tile ({tx}, {ty}) has std {std:F2}");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task A_cap_per_type_keeps_a_deterministic_sample_of_the_cells()
    {
        var test = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var options = new CellBankOptions { MaxCellsPerType = 40 };
        var capped = await CellBank.BuildAsync(test, RealBank.TestImages, options);
        var again = await CellBank.BuildAsync(test, RealBank.TestImages, options);
        var (full, _, _) = await RealBank.GetAsync();
        foreach (var type in capped.CellTypes)
        {
            Assert.Equal(40, capped.CellsOf(type).Count);
            Assert.Equal(capped.CellsOf(type).Select(c => c.SourceAnnotationId), again.CellsOf(type).Select(c => c.SourceAnnotationId));
            Assert.All(capped.CellsOf(type), c => Assert.Contains(full.CellsOf(type), f => f.SourceAnnotationId == c.SourceAnnotationId));
        }

        // Not simply the first 40 met: the sample reaches past them.
        var mcf7 = capped.CellsOf(CellTypes.MCF7).Select(c => c.SourceAnnotationId).ToHashSet();
        Assert.False(full.CellsOf(CellTypes.MCF7).Take(40).All(c => mcf7.Contains(c.SourceAnnotationId)));
    }

    [Fact]
    public async Task A_missing_image_file_is_an_error_naming_the_file_and_the_image()
    {
        var test = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var empty = TestPaths.NewTempFolder();
        var error = await Assert.ThrowsAsync<DataFormatException>(() => CellBank.BuildAsync(test, empty));
        Assert.Contains(test.Images[0].FileName, error.Message);
        Assert.Contains($"image {test.Images[0].Id}", error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public async Task An_image_name_without_a_cell_type_is_an_error_naming_the_record()
    {
        var folder = TestPaths.NewTempFolder();
        var image = new CocoImage(7, "Unknown_Phase_A1_1_00d00h00m_1.tif", 16, 16);
        var dataset = new CocoDataset([image], [new CocoCategory(1, "cell", "cell")], [], sourcePath: "gt.json");
        var error = await Assert.ThrowsAsync<DataFormatException>(() => CellBank.BuildAsync(dataset, folder));
        Assert.Contains("gt.json", error.Message);
        Assert.Contains("image 7", error.Message);
        Assert.Contains("cell type", error.Message);
    }

    [Fact]
    public async Task An_image_of_another_size_than_its_record_is_an_error()
    {
        var test = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var image = test.Images[0] with { Width = 100 };
        var dataset = new CocoDataset([image], test.Categories, []);
        var error = await Assert.ThrowsAsync<DataFormatException>(() => CellBank.BuildAsync(dataset, RealBank.TestImages));
        Assert.Contains("704x520", error.Message);
    }
}
