using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Models.Data;

namespace CellSeg.Models.Tests;

public class CropSamplerTests
{
    private static SegmentationDataset Synthetic()
    {
        // Pixel value encodes position; the mask marks bright pixels, so any misalignment of image and mask shows.
        const int w = 50, h = 40;
        var pixels = new byte[w * h];
        var mask = new byte[w * h];
        var random = new Random(1);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)random.Next(256);
            mask[i] = pixels[i] >= 128 ? (byte)1 : (byte)0;
        }

        return new SegmentationDataset([new SegmentationSample(1, "x.tif", null, new GrayImage(w, h, pixels), new BinaryMask(h, w, mask))]);
    }

    [Fact]
    public void A_steps_batch_depends_only_on_seed_and_step()
    {
        var options = new AugmentationOptions { CropSize = 16 };
        var a = new CropSampler(Synthetic(), options, seed: 4);
        var b = new CropSampler(Synthetic(), options, seed: 4);
        Assert.Equal(a.Batch(17, 3).Pixels, b.Batch(17, 3).Pixels);
        Assert.Equal(a.Batch(17, 3).Masks, b.Batch(17, 3).Masks);
        Assert.NotEqual(a.Batch(17, 3).Pixels, a.Batch(18, 3).Pixels);
        Assert.NotEqual(a.Batch(17, 3).Pixels, new CropSampler(Synthetic(), options, seed: 5).Batch(17, 3).Pixels);
    }

    [Fact]
    public void Flips_and_rotations_move_image_and_mask_together_and_normalise_pixels()
    {
        var sampler = new CropSampler(Synthetic(), new AugmentationOptions { CropSize = 16 }, seed: 2);
        var sawChange = false;
        var plain = new CropSampler(Synthetic(), new AugmentationOptions { CropSize = 16, Flips = false, Rotations = false }, seed: 2);
        for (var step = 0; step < 20; step++)
        {
            var batch = sampler.Batch(step, 2);
            for (var i = 0; i < batch.Pixels.Length; i++)
            {
                var raw = batch.Pixels[i] * 11.578 + 128;
                Assert.True(Math.Abs(raw - Math.Round(raw)) < 1e-3, "normalised values map back to 8-bit pixels");
                Assert.Equal(Math.Round(raw) >= 128 ? 1f : 0f, batch.Masks[i]);
            }

            sawChange |= !batch.Pixels.SequenceEqual(plain.Batch(step, 2).Pixels);
        }

        Assert.True(sawChange);
    }

    [Fact]
    public void Images_smaller_than_the_crop_are_padded_with_background()
    {
        var batch = new CropSampler(Synthetic(), new AugmentationOptions { CropSize = 64, Flips = false, Rotations = false }, seed: 0).Batch(0, 1);
        Assert.Equal(64 * 64, batch.Pixels.Length);
        Assert.Equal(0f, batch.Pixels[63 * 64 + 63]);
        Assert.Equal(0f, batch.Masks[63 * 64 + 63]);
    }
}
