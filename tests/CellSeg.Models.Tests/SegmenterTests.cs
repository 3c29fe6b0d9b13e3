using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Models.Inference;
using CellSeg.Models.Networks;

namespace CellSeg.Models.Tests;

public class SegmenterTests
{
    [Fact]
    public void Instances_are_connected_components_as_coco_rle()
    {
        // Two blobs and a speck below the minimum area.
        var mask = new BinaryMask(20, 30);
        for (var y = 2; y < 6; y++)
        {
            for (var x = 3; x < 10; x++)
            {
                mask[x, y] = 1;
            }
        }

        for (var y = 10; y < 18; y++)
        {
            for (var x = 20; x < 25; x++)
            {
                mask[x, y] = 1;
            }
        }

        mask[0, 19] = 1;
        var probabilities = mask.Data.Select(b => b == 1 ? 0.9f : 0.1f).ToArray();
        var instances = UNetSegmenter.Instances(mask, probabilities, imageId: 42, minArea: 2);
        Assert.Equal(2, instances.Count);
        Assert.All(instances, d => Assert.Equal(42, d.ImageId));
        Assert.Equal([28L, 40L], instances.Select(d => ((RleSegmentation)d.Segmentation!).Rle.Area));
        Assert.Equal(0.9, instances[0].Score, 4);
        var union = MaskConversion.ToSemantic(instances.Select(d => ((RleSegmentation)d.Segmentation!).Rle), 20, 30);
        mask[0, 19] = 0;
        Assert.Equal(mask.Data, union.Data);
    }

    [Fact]
    public async Task Whole_image_inference_pads_to_the_depth_and_tiling_covers_every_pixel()
    {
        var image = (await TestData.Val()).Samples[0].Image;   // 704×520: 520 is not a multiple of 16
        using var model = SegmentationModel.Create(UNetArchitectures.DeepUNet, new UNetOptions { Depth = 3, BaseChannels = 2 }, seed: 1);
        var whole = new UNetSegmenter(model).PredictProbabilities(image);
        Assert.Equal(704 * 520, whole.Length);
        Assert.All(whole, p => Assert.InRange(p, 0f, 1f));

        var tiled = new UNetSegmenter(model, new SegmenterOptions { TileSize = 256, TileOverlap = 32 }).PredictProbabilities(image);
        Assert.Equal(704 * 520, tiled.Length);

        // Far from tile borders a tile sees the same neighbourhood as the whole image.
        Assert.Equal(whole[300 * 704 + 100], tiled[300 * 704 + 100], 3);
        var segmented = new UNetSegmenter(model).Segment(image, 7);
        Assert.Equal(704, segmented.Mask.Width);
        Assert.All(segmented.Instances, d => Assert.Equal(1, d.CategoryId));
    }
}

public class SegmentationRunTests
{
    [Fact]
    public async Task A_run_writes_coco_results_that_read_back_and_an_overlay()
    {
        var folder = TestPaths.NewTempFolder();
        var gt = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var images = gt.Images.Take(2).Select(i => new ImageToSegment(i.Id, Path.Combine(TestData.ValImages, i.FileName))).ToList();
        using var model = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { Depth = 2, BaseChannels = 4 }, seed: 2);
        var result = await SegmentationRun.RunAsync(new UNetSegmenter(model, new SegmenterOptions { Threshold = 0.3 }), images,
            Path.Combine(folder, "pred.json"), Path.Combine(folder, "overlay.png"), groundTruth: gt);

        Assert.Equal(2, result.Images);
        var read = await CocoReader.LoadDetectionsAsync(result.PredictionsPath, gt);
        Assert.Equal(result.Instances, read.Detections.Count);
        Assert.All(read.Detections, d => Assert.Contains(d.ImageId, images.Select(i => i.ImageId)));
        Assert.True(new FileInfo(result.OverlayPath!).Length > 1000);
    }
}
