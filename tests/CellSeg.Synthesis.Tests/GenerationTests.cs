using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;
using CellSeg.Data.Masks;
using SixLabors.ImageSharp;

namespace CellSeg.Synthesis.Tests;

public sealed class GenerationTests
{
    private static readonly SynthesisOptions Small = new() { Width = 200, Height = 150, ImagesPerCellType = 2, Seed = 3 };

    [Fact]
    public async Task Same_seed_gives_byte_identical_files_whatever_the_parallelism()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var a = await SyntheticGenerator.GenerateAsync(bank, 60, Small with { MaxDegreeOfParallelism = 1 }, TestPaths.NewTempFolder());
        var b = await SyntheticGenerator.GenerateAsync(bank, 60, Small with { MaxDegreeOfParallelism = 3 }, TestPaths.NewTempFolder());
        var c = await SyntheticGenerator.GenerateAsync(bank, 60, Small with { Seed = 4 }, TestPaths.NewTempFolder());

        Assert.Equal(a.ImageFiles, b.ImageFiles);
        Assert.Equal(await File.ReadAllBytesAsync(a.AnnotationsPath), await File.ReadAllBytesAsync(b.AnnotationsPath));
        foreach (var name in a.ImageFiles)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(a.ImagesFolder, name)), await File.ReadAllBytesAsync(Path.Combine(b.ImagesFolder, name)));
        }

        Assert.Equal(a.ImageFiles, c.ImageFiles);
        Assert.NotEqual(await File.ReadAllBytesAsync(a.AnnotationsPath), await File.ReadAllBytesAsync(c.AnnotationsPath));
        Assert.All(a.ImageFiles, name => Assert.NotEqual(File.ReadAllBytes(Path.Combine(a.ImagesFolder, name)), File.ReadAllBytes(Path.Combine(c.ImagesFolder, name))));
    }

    [Fact]
    public async Task An_image_does_not_depend_on_what_else_is_generated()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var all = await SyntheticGenerator.GenerateAsync(bank, 40, Small, TestPaths.NewTempFolder());
        var one = await SyntheticGenerator.GenerateAsync(bank, 40, Small with { CellTypes = [CellTypes.MCF7], ImagesPerCellType = 1 }, TestPaths.NewTempFolder());
        var name = Assert.Single(one.ImageFiles);
        Assert.Equal("MCF7_Synthetic_d40_000001.tif", name);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(all.ImagesFolder, name)), await File.ReadAllBytesAsync(Path.Combine(one.ImagesFolder, name)));
    }

    [Fact]
    public async Task Written_set_is_a_valid_coco_file_with_livecell_style_names_per_cell_type()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var set = await SyntheticGenerator.GenerateAsync(bank, 30, Small, TestPaths.NewTempFolder());
        var coco = await CocoReader.LoadAsync(set.AnnotationsPath);
        Assert.Equal(bank.CellTypes.Count * 2, coco.Images.Count);
        Assert.Equal(set.Placed, coco.Annotations.Count);
        Assert.Equal(coco.Annotations.Count, coco.Annotations.Select(a => a.Id).Distinct().Count());
        Assert.Equal(new CocoCategory(1, "cell", "cell"), Assert.Single(coco.Categories));
        Assert.Contains("\"density\":30", coco.OtherFieldsJson["info"]);
        Assert.DoesNotContain("\\u00", await File.ReadAllTextAsync(set.AnnotationsPath)); // RLE text as Python's json writes it
        foreach (var image in coco.Images)
        {
            Assert.True(CellTypes.TryFromFileName(image.FileName, out var type));
            Assert.Contains(type, bank.CellTypes);
            Assert.Equal((200, 150), (image.Width, image.Height));
            Assert.True(File.Exists(Path.Combine(set.ImagesFolder, image.FileName)));
        }

        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(set.AnnotationsPath)!, "*.part"));
        Assert.Empty(Directory.EnumerateFiles(set.ImagesFolder, "*.tmp"));
        foreach (var type in set.PerType)
        {
            Assert.Equal(2, type.Images);
            Assert.Equal(60, type.Requested);
            Assert.Equal(type.Requested, type.Placed + type.Unplaced);
        }
    }

    [Fact]
    public async Task Calibrated_caps_come_from_each_type_s_real_cells_per_image()
    {
        var (bank, test, val) = await RealBank.GetAsync();
        var calibration = new DensityCalibration(Quantile: 0.95);

        // MCF7 in the sample: 437, 768, 711, 108 cells per image → sorted 108, 437, 711, 768; position 0.95·3 = 2.85.
        var mcf7 = bank.CellsPerImageOf(CellTypes.MCF7).Order().ToArray();
        var expected = (int)Math.Ceiling(mcf7[2] + 0.85 * (mcf7[3] - mcf7[2]));
        Assert.Equal(expected, calibration.CapFor(bank.CellsPerImageOf(CellTypes.MCF7)));
        Assert.Equal(mcf7.Max(), new DensityCalibration(1.0).CapFor(mcf7));
        Assert.Equal(2 * mcf7.Max(), new DensityCalibration(1.0, 2.0).CapFor(mcf7));

        // The real counts are the annotation counts of the type's images.
        var real = test.Images.Concat(val.Images).Where(i => CellTypes.FromFileName(i.FileName) == CellTypes.Huh7)
            .Select(i => (test.FindImage(i.Id) is null ? val : test).AnnotationsOf(i.Id).Count).Order();
        Assert.Equal(real, bank.CellsPerImageOf(CellTypes.Huh7).Order());

        var plan = new DensityPlan([20, 100, 1000], calibration);
        var caps = plan.Caps(bank);
        Assert.True(caps[CellTypes.Huh7] < 100, "Huh7 images here hold 42–73 cells");
        Assert.True(caps[CellTypes.MCF7] > caps[CellTypes.Huh7]);

        var options = Small with { ImagesPerCellType = 1, CellTypes = [CellTypes.Huh7, CellTypes.MCF7] };
        var set = await SyntheticGenerator.GenerateAsync(bank, 1000, options, TestPaths.NewTempFolder(), calibration);
        Assert.Equal(caps[CellTypes.Huh7], set.PerType.Single(t => t.CellType == CellTypes.Huh7).TargetDensity);
        Assert.Equal(caps[CellTypes.MCF7], set.PerType.Single(t => t.CellType == CellTypes.MCF7).TargetDensity);
        Assert.Equal(20, DensityPlan.TargetFor(bank, CellTypes.Huh7, 20, calibration));
        Assert.Equal(1000, DensityPlan.TargetFor(bank, CellTypes.Huh7, 1000, null));
        Assert.Contains("\"calibrated\":true", await File.ReadAllTextAsync(set.AnnotationsPath));
    }

    [Fact]
    public async Task Progress_reaches_every_image_and_cancellation_leaves_no_spill_files()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var reports = new List<SynthesisProgress>();
        var set = await SyntheticGenerator.GenerateAsync(bank, 10, Small with { ImagesPerCellType = 3, MaxDegreeOfParallelism = 1 }, TestPaths.NewTempFolder(),
            progress: new CellSeg.Data.SyncProgress<SynthesisProgress>(reports.Add));
        Assert.Equal(set.ImageFiles.Count, reports[^1].ImagesDone);
        Assert.Equal(set.ImageFiles.Count, reports[^1].ImagesTotal);
        Assert.Equal(reports.Select(r => r.ImagesDone).Order(), reports.Select(r => r.ImagesDone));

        var folder = TestPaths.NewTempFolder();
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SyntheticGenerator.GenerateAsync(bank, 10, Small with { ImagesPerCellType = 50, MaxDegreeOfParallelism = 1 }, folder,
            progress: new CellSeg.Data.SyncProgress<SynthesisProgress>(_ => cancel.Cancel()), cancellationToken: cancel.Token));
        Assert.False(File.Exists(Path.Combine(folder, SyntheticGenerator.AnnotationsFileName)));
        Assert.Empty(Directory.EnumerateFiles(folder, "*.part"));
    }

    [Fact]
    public void Density_levels_parse_and_bad_levels_are_named()
    {
        Assert.Equal([20, 100, 1000], DensityPlan.Parse("20, 100,1000").Levels);
        var error = Assert.Throws<FormatException>(() => DensityPlan.Parse("20,lots"));
        Assert.Contains("'lots'", error.Message);
        Assert.Throws<FormatException>(() => DensityPlan.Parse("0"));
        Assert.Equal(OverlapMode.Clustered, OverlapModes.Parse("Clustered"));
        Assert.Contains("none, bounded, clustered", Assert.Throws<ArgumentException>(() => OverlapModes.Parse("heaps")).Message);
    }

    [Fact]
    public async Task Bad_options_are_refused_naming_the_option()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var folder = TestPaths.NewTempFolder();
        Assert.Contains("MaxOverlapFraction", (await Assert.ThrowsAsync<ArgumentException>(() => SyntheticGenerator.GenerateAsync(bank, 10, Small with { MaxOverlapFraction = 2 }, folder))).Message);
        Assert.Contains("MinVisibleFraction", (await Assert.ThrowsAsync<ArgumentException>(() => SyntheticGenerator.GenerateAsync(bank, 10, Small with { MinVisibleFraction = 0 }, folder))).Message);
        Assert.Contains("BV2", (await Assert.ThrowsAsync<ArgumentException>(() => SyntheticGenerator.GenerateAsync(bank, 10, Small with { CellTypes = [CellTypes.BV2] }, folder))).Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SyntheticGenerator.GenerateAsync(bank, 70000, Small, folder));
    }

    [Fact]
    public async Task Polygon_output_covers_each_visible_mask_and_is_exact_for_unoccluded_cells()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var options = Small with { ImagesPerCellType = 1, Overlap = OverlapMode.None, Segmentation = SegmentationFormat.Polygons };
        var set = await SyntheticGenerator.GenerateAsync(bank, 40, options, TestPaths.NewTempFolder());
        var coco = await CocoReader.LoadAsync(set.AnnotationsPath);
        var exact = 0;
        foreach (var a in coco.Annotations)
        {
            var image = coco.FindImage(a.ImageId)!;
            var polygons = Assert.IsType<PolygonSegmentation>(a.Segmentation);
            var rasterised = polygons.ToRle(image.Height, image.Width);

            // The exact mask, from the RLE the same generator writes with the same seed.
            var type = CellTypes.FromFileName(image.FileName);
            var index = int.Parse(image.FileName[^10..^4], System.Globalization.CultureInfo.InvariantCulture) - 1;
            var composed = new ImageComposer().Compose(bank, type, 40, options, SyntheticGenerator.ImageSeed(options.Seed, 40, type, index));
            var cells = new InstanceEncoder().Encode(composed.Labels, composed.Width, composed.Height, composed.Placements.Count);
            var k = coco.AnnotationsOf(a.ImageId).ToList().IndexOf(a);
            var mask = Rle.FromCompressedString(cells[k].Counts, image.Height, image.Width);
            Assert.Equal(mask.Area, (long)a.Area);
            Assert.Equal(mask.Area, Rle.IntersectionArea(mask, rasterised));
            if (rasterised.Area == mask.Area)
            {
                exact++;
            }
        }

        Assert.True(exact >= coco.Annotations.Count * 9 / 10, $"{exact} of {coco.Annotations.Count} polygons rasterise to exactly the visible mask");
    }

    [Fact]
    public async Task Preview_sheet_shows_a_real_image_then_one_panel_per_density()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var path = Path.Combine(TestPaths.NewTempFolder(), "preview.png");
        await PreviewSheet.WritePngAsync(bank, CellTypes.SHSY5Y, [1000, 20, 100], new SynthesisOptions { Seed = 9 }, path);
        var info = Image.Identify(path);
        Assert.Equal(4 * 704 + 3 * 4, info.Width);
        Assert.Equal(520, info.Height);
    }
}

public sealed class RealDensityTests
{
    [Fact]
    public async Task Real_density_draws_each_image_s_count_from_its_cell_type_s_real_images()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var options = new SynthesisOptions { RealDensity = true, ImagesPerCellType = 3, Width = 96, Height = 80, CellTypes = [CellSeg.Data.Livecell.CellTypes.MCF7, CellSeg.Data.Livecell.CellTypes.SkBr3] };
        foreach (var type in options.CellTypes!)
        {
            var real = bank.CellsPerImageOf(type);
            var targets = Enumerable.Range(0, 40).Select(k => DensityPlan.ImageTarget(bank, type, 100, null, options, SyntheticGenerator.ImageSeed(1, 100, type, k))).ToList();
            Assert.All(targets, t => Assert.Contains(real, n => t >= Math.Floor(0.8 * n) && t <= Math.Ceiling(1.2 * n)));
            Assert.True(targets.Distinct().Count() > 5, $"{type}: targets {string.Join(", ", targets)} hardly vary");
            Assert.Equal(targets[0], DensityPlan.ImageTarget(bank, type, 100, null, options, SyntheticGenerator.ImageSeed(1, 100, type, 0)));

            // Without the option the level is the target; calibration still caps a real draw.
            Assert.Equal(100, DensityPlan.ImageTarget(bank, type, 100, null, options with { RealDensity = false }, 7));
            var calibration = new DensityCalibration(0.5);
            Assert.All(Enumerable.Range(0, 20), k => Assert.True(DensityPlan.ImageTarget(bank, type, 100, calibration, options, (ulong)k) <= calibration.CapFor(real)));
        }

        // The generator asks each image for its own draw.
        var set = await SyntheticGenerator.GenerateAsync(bank, 100, options, TestPaths.NewTempFolder());
        foreach (var stats in set.PerType)
        {
            var expected = Enumerable.Range(0, 3).Sum(k => (long)DensityPlan.ImageTarget(bank, stats.CellType, 100, null, options, SyntheticGenerator.ImageSeed(options.Seed, 100, stats.CellType, k)));
            Assert.Equal(expected, stats.Requested);
        }
    }
}
