using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class InputTests
{
    private static readonly CenterMaskInput Input = new(new CenterMaskInputOptions());

    [Fact]
    public void Shortest_edge_resize_matches_detectron2_rounding_and_max_size()
    {
        Assert.Equal((600, 812), CenterMaskInput.ResizedShape(520, 704, 600, 1000));
        Assert.Equal((800, 1083), CenterMaskInput.ResizedShape(520, 704, 800, 1333));
        // Long side capped: 100×400 → short 600 gives 2400 > 1000 → scale to 250×1000.
        Assert.Equal((250, 1000), CenterMaskInput.ResizedShape(100, 400, 600, 1000));
        Assert.Equal((37, 45), CenterMaskInput.ResizedShape(37, 45, 0, 1000));
    }

    [Fact]
    public void Grayscale_is_normalised_replicated_to_three_channels_and_zero_padded_to_32()
    {
        using var image = full(20, 45, 128f + 11.578f);
        image[0, 0] = tensor(128f);
        using var batch = Input.Prepare([new CenterMaskSample(image)], shortSide: 0, maxSize: 0, flip: false);
        Assert.Equal(new long[] { 1, 3, 32, 64 }, batch.Images.shape);
        Assert.Equal((20, 45), batch.ImageSizes[0]);
        Assert.Equal(0f, batch.Images[0, 2, 0, 0].item<float>(), 5);
        Assert.Equal(1f, batch.Images[0, 1, 5, 5].item<float>(), 4);
        Assert.Equal(0f, batch.Images[0, 0, 25, 5].item<float>());   // padding, after normalisation
        Assert.Equal(0f, batch.Images[0, 0, 5, 50].item<float>());
    }

    [Fact]
    public void Flip_mirrors_image_boxes_and_polygons_in_the_resized_frame()
    {
        using var image = zeros(10, 20);
        image[2, 3] = tensor(255f);
        using var boxes = tensor(new float[] { 2, 1, 6, 4 }).reshape(1, 4);
        var polygons = new List<IReadOnlyList<double[]>> { new[] { new double[] { 2, 1, 6, 1, 6, 4 } } };
        using var batch = Input.Prepare([new CenterMaskSample(image, boxes, null, polygons)], shortSide: 20, maxSize: 1000, flip: true);
        // Resized ×2 to 20×40, then flipped: x → 40 − x.
        Assert.Equal((20, 40), batch.ImageSizes[0]);
        Assert.Equal(new float[] { 28, 2, 36, 8 }, batch.Boxes[0]!.data<float>().ToArray());
        Assert.Equal(new double[] { 36, 2, 28, 2, 28, 8 }, batch.Polygons[0]![0][0]);
        Assert.Equal(new long[] { 0 }, batch.Classes[0]!.data<long>().ToArray());
        Assert.True(batch.Flipped[0]);
        // The bright pixel (row 2, col 3) lands near row 4–5, col 40 − 7…8 after resize and flip.
        var row = batch.Images[0, 0, 5];
        Assert.True(row.argmax().item<long>() is >= 32 and <= 33);
    }

    [Fact]
    public void Training_batches_pick_sizes_from_the_choices_and_are_reproducible()
    {
        var input = new CenterMaskInput(new CenterMaskInputOptions { MinSizeTrain = [40, 48], MaxSizeTrain = 200 });
        using var image = rand(20, 30) * 255;
        using var a = input.Prepare([new CenterMaskSample(image), new CenterMaskSample(image)], training: true, new Random(4));
        using var b = input.Prepare([new CenterMaskSample(image), new CenterMaskSample(image)], training: true, new Random(4));
        Assert.All(a.ImageSizes, s => Assert.Contains(s.Height, new[] { 40, 48 }));
        Assert.Equal(a.ImageSizes, b.ImageSizes);
        Assert.Equal(a.Flipped, b.Flipped);
        Assert.True(a.Images.allclose(b.Images, 0, 0));
        Assert.Equal(0, a.Images.shape[2] % 32);
    }

    [Fact]
    public void Wrong_image_shape_is_reported()
    {
        using var image = zeros(2, 5, 5);
        var error = Assert.Throws<ArgumentException>(() => Input.Prepare([new CenterMaskSample(image)], 0, 0, false));
        Assert.Contains("[2, 5, 5]", error.Message);
    }
}
