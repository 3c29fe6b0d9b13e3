using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Models.Data;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests;

public class SyntheticMixingTests
{
    /// <summary>16×16 images of one gray value each (the value names the image); image k has k + 1 rows of cell pixels.</summary>
    private static SegmentationDataset Images(int count, int firstValue, string prefix, string cellType = "A172")
    {
        var samples = new List<SegmentationSample>();
        for (var k = 0; k < count; k++)
        {
            var pixels = Enumerable.Repeat((byte)(firstValue + k), 256).ToArray();
            var mask = new byte[256];
            Array.Fill(mask, (byte)1, 0, 16 * Math.Min(16, k + 1));
            samples.Add(new SegmentationSample(firstValue + k, $"{prefix}_{k}.tif", cellType, new GrayImage(16, 16, pixels), new BinaryMask(16, 16, mask)));
        }

        return new SegmentationDataset(samples);
    }

    private static readonly AugmentationOptions Crops = new() { CropSize = 16, Normalization = new IntensityNormalization(0, 1) };

    private static double SyntheticShare(CropSampler sampler, long iterations, int batch)
    {
        long synthetic = 0;
        for (var step = 0L; step < iterations; step++)
        {
            synthetic += sampler.Sources(step, batch).Count(s => s.FileName.StartsWith("syn", StringComparison.Ordinal));
        }

        return (double)synthetic / (iterations * batch);
    }

    [Fact]
    public void The_synthetic_fraction_sets_the_share_of_crops_drawn_from_synthetic_images()
    {
        var real = Images(3, 10, "real");
        var synthetic = Images(12, 100, "syn");

        // 3 real and 12 synthetic images drawn uniformly: 80 % of the crops are synthetic.
        var uniform = new CropSampler(real, synthetic, new SyntheticMixing(), Crops, seed: 1);
        Assert.InRange(SyntheticShare(uniform, 2000, 4), 0.78, 0.82);

        foreach (var fraction in new[] { 0.0, 0.25, 0.5, 1.0 })
        {
            var mixed = new CropSampler(real, synthetic, new SyntheticMixing { SyntheticFraction = fraction }, Crops, seed: 1);
            Assert.InRange(SyntheticShare(mixed, 2000, 4), fraction - 0.02, fraction + 0.02);
        }
    }

    [Fact]
    public void Sources_name_the_images_the_batch_crops()
    {
        var sampler = new CropSampler(Images(3, 10, "real"), Images(12, 100, "syn"), new SyntheticMixing { SyntheticFraction = 0.4, DensityCurriculum = 0.5, TotalIterations = 40 }, Crops, seed: 9);
        for (var step = 0L; step < 40; step++)
        {
            var batch = sampler.Batch(step, 4);
            var sources = sampler.Sources(step, 4);
            for (var b = 0; b < 4; b++)
            {
                Assert.Equal(sources[b].Image.Pixels8[0], batch.Pixels[b * 256]);
            }
        }
    }

    [Fact]
    public void Without_mixing_settings_batches_are_those_of_one_concatenated_dataset()
    {
        var real = Images(3, 10, "real");
        var synthetic = Images(5, 100, "syn");
        var both = new SegmentationDataset([.. real.Samples, .. synthetic.Samples]);
        var a = new CropSampler(both, Crops, seed: 4);
        var b = new CropSampler(real, synthetic, new SyntheticMixing(), Crops, seed: 4);
        for (var step = 0L; step < 20; step++)
        {
            Assert.Equal(a.Batch(step, 3).Pixels, b.Batch(step, 3).Pixels);
        }
    }

    [Fact]
    public void The_density_curriculum_starts_with_the_sparsest_synthetic_image_and_reaches_all_of_them()
    {
        // Synthetic images given densest first; the curriculum must order them by coverage itself.
        var synthetic = new SegmentationDataset([.. Images(8, 100, "syn").Samples.Reverse()]);
        var sampler = new CropSampler(Images(2, 10, "real"), synthetic, new SyntheticMixing { SyntheticFraction = 1, DensityCurriculum = 0.5, TotalIterations = 80 }, Crops, seed: 3);
        Assert.Equal(1, sampler.SyntheticWindow(0));
        Assert.Equal(4, sampler.SyntheticWindow(19));
        Assert.Equal(8, sampler.SyntheticWindow(39));
        Assert.Equal(8, sampler.SyntheticWindow(79));

        // Early crops come only from the sparsest image (value 100); after the curriculum every image shows up.
        Assert.All(Enumerable.Range(0, 5).SelectMany(s => sampler.Sources(s, 4)), s => Assert.Equal("syn_0.tif", s.FileName));
        var late = Enumerable.Range(40, 40).SelectMany(s => sampler.Sources(s, 4)).Select(s => s.FileName).Distinct().Count();
        Assert.Equal(8, late);
    }

    [Fact]
    public void Bad_mixing_settings_are_refused_naming_the_setting()
    {
        var real = Images(2, 10, "real");
        Assert.Contains("syntheticFraction", Assert.Throws<ArgumentException>(() => new CropSampler(real, null, new SyntheticMixing { SyntheticFraction = 1.5 }, Crops, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("synthetic", Assert.Throws<ArgumentException>(() => new CropSampler(real, null, new SyntheticMixing { SyntheticFraction = 0.3 }, Crops, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("densityCurriculum", Assert.Throws<ArgumentException>(() => new CropSampler(real, null, new SyntheticMixing { DensityCurriculum = -0.1 }, Crops, 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ensemble_member_without_synthetic_images_of_its_cell_type_is_refused_before_training()
    {
        var real = new SegmentationDataset([.. Images(2, 10, "real").Samples, .. Images(2, 20, "realm", "MCF7").Samples]);
        var options = new TrainOptions
        {
            Train = real, Synthetic = Images(3, 100, "syn"), Architecture = UNetArchitectures.DeepUNetEnsemble, OutputModelPath = "unused.model",
            Augmentation = new AugmentationOptions { CropSize = 256 }, Mixing = new SyntheticMixing { SyntheticFraction = 0.3 },
        };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("MCF7 has no synthetic images", error.Message, StringComparison.Ordinal);
        (options with { Mixing = new SyntheticMixing() }).Validate();
    }
}
