using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;
using CellSeg.Metrics.Coco;

namespace CellSeg.Models.Tests.Infra;

public class InstancesToSemanticTests
{
    private const string TinyTruth = """
        { "images": [ { "id": 1, "file_name": "tiny_A.tif", "width": 8, "height": 6 }, { "id": 2, "file_name": "tiny_B.tif", "width": 8, "height": 6 } ],
          "annotations": [], "categories": [ { "id": 1, "name": "cell" } ] }
        """;

    private static async Task<(CocoDataset Truth, string Folder)> Tiny()
    {
        var folder = TestPaths.NewTempFolder();
        var path = Path.Combine(folder, "truth.json");
        await File.WriteAllTextAsync(path, TinyTruth);
        return (await CocoReader.LoadAsync(path), folder);
    }

    private static CocoDetection Box(long image, double score, double x, double y, double w, double h) =>
        new(image, 1, score, new RleSegmentation(Rle.FromBbox(new BoundingBox(x, y, w, h), 6, 8)), null);

    private static async Task<BinaryMask> ReadMask(string path)
    {
        var png = await GrayImageIO.ReadAsync(path);
        var mask = new BinaryMask(png.Height, png.Width);
        for (var y = 0; y < png.Height; y++)
        {
            for (var x = 0; x < png.Width; x++)
            {
                mask[x, y] = png[x, y] == 0 ? (byte)0 : (byte)1;
            }
        }

        return mask;
    }

    [Fact]
    public async Task Real_annotations_as_predictions_give_exactly_the_union_of_the_ground_truth_polygons()
    {
        var truth = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var folder = TestPaths.NewTempFolder();
        var results = Path.Combine(folder, "results.json");
        var detections = truth.Annotations.Select(a =>
        {
            var image = truth.FindImage(a.ImageId)!;
            return new CocoDetection(a.ImageId, a.CategoryId, 1.0, new RleSegmentation(a.Segmentation.ToRle(image.Height, image.Width)), null);
        });
        await CocoWriter.WriteDetectionsAsync(detections, results);

        var written = await InstancesToSemantic.ConvertAsync(results, truth, Path.Combine(folder, "masks"));

        var dataset = await TestData.Val();
        Assert.Equal(dataset.Count, written.Count);
        Assert.Equal(truth.Annotations.Count, written.Sum(w => w.Instances));
        foreach (var sample in dataset.Samples)
        {
            var file = written.Single(w => w.ImageId == sample.ImageId);
            Assert.Equal(MaskFolderEvaluator.MaskFileName(sample.FileName), Path.GetFileName(file.MaskPath));
            var mask = await ReadMask(file.MaskPath);
            Assert.Equal(sample.Mask.Data, mask.Data);
            Assert.Equal(sample.Mask.CountForeground(), file.ForegroundPixels);
        }

        var evaluation = await MaskFolderEvaluator.EvaluateAsync(dataset.GroundTruth(), Path.Combine(folder, "masks"));
        Assert.Equal(1.0, evaluation.Overall.F1, 12);
    }

    [Fact]
    public async Task Overlapping_instances_paint_their_union_once_and_low_scores_are_left_out()
    {
        var (truth, folder) = await Tiny();
        var results = Path.Combine(folder, "results.json");
        await CocoWriter.WriteDetectionsAsync(
        [
            Box(1, 0.9, 0, 0, 4, 4),    // 16 pixels
            Box(1, 0.6, 2, 2, 4, 4),    // 16 pixels, 4 shared with the first
            Box(1, 0.3, 6, 0, 2, 2),    // 4 pixels, below 0.5
        ], results);

        var defaults = await InstancesToSemantic.ConvertAsync(results, truth, Path.Combine(folder, "default"));
        Assert.Equal([28L, 0L], defaults.Select(w => w.ForegroundPixels));
        Assert.Equal(2, defaults[0].Instances);
        var mask = await ReadMask(defaults[0].MaskPath);
        Assert.Equal(1, mask[3, 3]);
        Assert.Equal(0, mask[7, 0]);
        Assert.Equal(0, (await ReadMask(defaults[1].MaskPath)).CountForeground());   // an image without detections gets an empty mask

        var lower = await InstancesToSemantic.ConvertAsync(results, truth, Path.Combine(folder, "lower"), scoreThreshold: 0.25);
        Assert.Equal(32, lower[0].ForegroundPixels);
        var higher = await InstancesToSemantic.ConvertAsync(results, truth, Path.Combine(folder, "higher"), scoreThreshold: 0.95);
        Assert.Equal(0, higher[0].ForegroundPixels);
    }

    [Fact]
    public async Task A_detection_of_an_unknown_image_or_of_another_size_names_the_file_and_record()
    {
        var (truth, folder) = await Tiny();
        var unknown = Path.Combine(folder, "unknown.json");
        await CocoWriter.WriteDetectionsAsync([Box(1, 0.9, 0, 0, 2, 2), Box(7, 0.9, 0, 0, 2, 2)], unknown);
        var e = await Assert.ThrowsAsync<DataFormatException>(() => InstancesToSemantic.ConvertAsync(unknown, truth, Path.Combine(folder, "a")));
        Assert.Equal(unknown, e.FilePath);
        Assert.NotNull(e.Record);
        Assert.Contains("7", e.Message);

        var wrongSize = Path.Combine(folder, "size.json");
        await CocoWriter.WriteDetectionsAsync([new CocoDetection(2, 1, 0.9, new RleSegmentation(Rle.Empty(5, 8)), null)], wrongSize);
        var s = await Assert.ThrowsAsync<DataFormatException>(() => InstancesToSemantic.ConvertAsync(wrongSize, truth, Path.Combine(folder, "b")));
        Assert.Equal(wrongSize, s.FilePath);
        Assert.Equal("result 0", s.Record);
        Assert.Contains("mask size 5x8", s.Message);

        var broken = Path.Combine(folder, "broken.json");
        await File.WriteAllTextAsync(broken, "[{\"image_id\": 1, \"category_id\": 1, \"score\": ");
        var b = await Assert.ThrowsAsync<DataFormatException>(() => InstancesToSemantic.ConvertAsync(broken, truth, Path.Combine(folder, "c")));
        Assert.Equal(broken, b.FilePath);
    }
    [Fact]
    public async Task At_most_max_detections_are_painted_and_the_evaluation_counts_the_same_pixels()
    {
        var (truth, folder) = await Tiny();
        var results = Path.Combine(folder, "results.json");
        await CocoWriter.WriteDetectionsAsync(
        [
            Box(1, 0.7, 0, 0, 2, 2),    // third: cut by a cap of 2
            Box(1, 0.9, 2, 0, 2, 2),    // highest: kept (4 pixels)
            Box(1, 0.6, 4, 0, 2, 2),    // fourth: cut
            Box(1, 0.8, 6, 0, 2, 3),    // second: kept (6 pixels)
        ], results);

        var capped = await InstancesToSemantic.ConvertAsync(results, truth, Path.Combine(folder, "capped"), maxDetections: 2);
        Assert.Equal(2, capped[0].Instances);
        var mask = await ReadMask(capped[0].MaskPath);
        Assert.Equal(1, mask[2, 0]);   // 0.9
        Assert.Equal(1, mask[6, 2]);   // 0.8
        Assert.Equal(0, mask[0, 0]);   // 0.7: third
        Assert.Equal(0, mask[4, 0]);   // 0.6: fourth
        Assert.Equal(10, capped[0].ForegroundPixels);

        // The evaluation's semantic F1 keeps the same detections: the pixels it counts as predicted are the mask's.
        var gt = EvalGroundTruth.FromDataset(truth, IouType.Segm);
        var dt = EvalDetections.Prepare(await CocoReader.LoadDetectionsAsync(results, truth), gt, IouType.Segm);
        var counts = InstancesToSemantic.Compare(gt, dt, InstancesToSemantic.DefaultScoreThreshold, maxDetections: 2);
        Assert.Equal(capped[0].ForegroundPixels, counts[1].TruePositive + counts[1].FalsePositive);
        Assert.Equal(18, (await InstancesToSemantic.ConvertAsync(results, truth, Path.Combine(folder, "all"))).First().ForegroundPixels);   // the default cap (2000) keeps all four
    }
}
