using CellSeg.Data.Coco;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Tests.Coco;

public sealed class CocoEvaluatorTests
{
    [Fact]
    public void Thresholds_are_numpy_linspace_doubles()
    {
        var iou = CocoEvalParams.Linspace(0.5, 0.95, 10);
        Assert.Equal(0.8999999999999999, iou[8]);
        Assert.Equal(0.75, iou[5]);
        var rec = CocoEvalParams.Linspace(0, 1, 101);
        Assert.Equal(0.35000000000000003, rec[35]);
        Assert.Equal(0.5700000000000001, rec[57]);
        Assert.Equal(1.0, rec[100]);
    }

    [Fact]
    public void Equal_scores_keep_file_order()
    {
        var order = CocoEvaluator.StableOrderByDescending([0.5, 0.9, 0.5, 0.9, 0.1]);
        Assert.Equal([1, 3, 0, 2, 4], order);
    }

    [Fact]
    public async Task Ground_truth_as_predictions_scores_one_for_boxes_and_masks()
    {
        var gtData = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        foreach (var iouType in new[] { IouType.Segm, IouType.Bbox })
        {
            var gt = EvalGroundTruth.FromDataset(gtData, iouType);
            var detections = gtData.Annotations.Select((a, i) => new CocoDetection(
                a.ImageId, 1, 1.0 - i * 1e-6,
                iouType == IouType.Segm ? new RleSegmentation(a.Segmentation.ToRle(520, 704)) : null,
                iouType == IouType.Bbox ? a.Bbox : null)).ToList();
            var dt = EvalDetections.Prepare(new DetectionSet("gt-as-pred", detections, []), gt, iouType);
            var s = CocoEvaluator.Evaluate(gt, dt, CocoEvalParams.Livecell(iouType)).Accumulate();
            Assert.Equal(1.0, s.AP, 12);
            Assert.Equal(1.0, s.AR[2000], 12);
            Assert.Equal(0.0, s.AFNR, 12);
        }
    }

    [Fact]
    public void Crowd_ground_truth_is_ignored_and_absorbs_detections_inside_it()
    {
        var image = new CocoImage(1, "x.tif", 40, 40);
        var cell = new CocoAnnotation(10, 1, 1, new PolygonSegmentation([[2, 2, 12, 2, 12, 12, 2, 12]]), 100, new BoundingBox(2, 2, 10, 10), false);
        var crowd = new CocoAnnotation(11, 1, 1, new PolygonSegmentation([[20, 20, 39, 20, 39, 39, 20, 39]]), 361, new BoundingBox(20, 20, 19, 19), true);
        var gtData = new CocoDataset([image], [new CocoCategory(1, "cell", null)], [cell, crowd]);
        var gt = EvalGroundTruth.FromDataset(gtData, IouType.Segm);
        var hit = new CocoDetection(1, 1, 0.9, new RleSegmentation(cell.Segmentation.ToRle(40, 40)), null);
        var insideCrowd = new CocoDetection(1, 1, 0.8, new PolygonSegmentation([[22, 22, 30, 22, 30, 30, 22, 30]]), null);
        var dt = EvalDetections.Prepare(new DetectionSet("t", [hit, insideCrowd], []), gt, IouType.Segm);
        var s = CocoEvaluator.Evaluate(gt, dt, CocoEvalParams.Coco(IouType.Segm)).Accumulate();

        // The detection inside the crowd region matches it (IoU = intersection / detection area = 1) and is ignored: no false positive.
        Assert.Equal(1.0, s.AP, 12);
        Assert.Equal(1.0, s.AR[100], 12);
    }

    [Fact]
    public void Missed_cells_raise_afnr_by_the_share_missed()
    {
        var image = new CocoImage(1, "x.tif", 50, 50);
        var cells = Enumerable.Range(0, 4).Select(i => new CocoAnnotation(10 + i, 1, 1, new PolygonSegmentation([[i * 12 + 1, 1, i * 12 + 10, 1, i * 12 + 10, 10, i * 12 + 1, 10]]), 81, new BoundingBox(i * 12 + 1, 1, 9, 9), false)).ToList();
        var gtData = new CocoDataset([image], [new CocoCategory(1, "cell", null)], cells);
        var gt = EvalGroundTruth.FromDataset(gtData, IouType.Segm);
        var found = cells.Take(3).Select(c => new CocoDetection(1, 1, 0.9, c.Segmentation, null)).ToList();
        var dt = EvalDetections.Prepare(new DetectionSet("t", found, []), gt, IouType.Segm);
        var s = CocoEvaluator.Evaluate(gt, dt, CocoEvalParams.Livecell(IouType.Segm)).Accumulate();
        Assert.Equal(0.25, s.AFNR, 12);
        Assert.All(s.RecallPerIou, r => Assert.Equal(0.75, r, 12));
    }

    [Fact]
    public async Task Accumulating_a_subset_equals_evaluating_only_that_subset()
    {
        var gtData = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var gt = EvalGroundTruth.FromDataset(gtData, IouType.Segm);
        var results = await CocoReader.LoadDetectionsAsync(Path.Combine(TestPaths.Reference, "pred_noisy.json"), gtData);
        var dt = EvalDetections.Prepare(results, gt, IouType.Segm);
        var subset = gtData.Images.Where(i => i.FileName.StartsWith("SKOV3_", StringComparison.Ordinal)).Select(i => i.Id).ToArray();
        Assert.Equal(4, subset.Length);

        var fromWhole = CocoEvaluator.Evaluate(gt, dt, CocoEvalParams.Livecell(IouType.Segm)).Accumulate(subset);
        var alone = CocoEvaluator.Evaluate(gt, dt, CocoEvalParams.Livecell(IouType.Segm) with { ImageIds = subset }).Accumulate();

        Assert.Equal(alone.AP, fromWhole.AP);
        Assert.Equal(alone.AFNR, fromWhole.AFNR);
        Assert.Equal(4, fromWhole.ImageCount);
        Assert.NotEqual(CocoEvaluator.Evaluate(gt, dt, CocoEvalParams.Livecell(IouType.Segm)).Accumulate().AP, fromWhole.AP);
    }

    [Fact]
    public async Task Streaming_ground_truth_load_equals_the_in_memory_one()
    {
        var gtData = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var inMemory = EvalGroundTruth.FromDataset(gtData, IouType.Segm);
        var streamed = await EvalGroundTruth.LoadAsync(TestPaths.TestAnnotations, IouType.Segm);
        Assert.Equal(inMemory.Images.Select(i => i.Id), streamed.Images.Select(i => i.Id));
        for (var i = 0; i < inMemory.Images.Count; i++)
        {
            Assert.Equal(
                inMemory.ObjectsByImage[i].Select(o => (o.Id, o.Area, o.Mask!.ToCompressedString())),
                streamed.ObjectsByImage[i].Select(o => (o.Id, o.Area, o.Mask!.ToCompressedString())));
        }
    }
}

public sealed class EvalGroundTruthLoadTests
{
    [Fact]
    public async Task Streaming_load_keeps_file_order_across_many_batches_and_rasteriser_threads()
    {
        // 7,000 annotations are seven batches; images interleave so every batch touches every image.
        var path = Path.Combine(TestPaths.NewTempFolder(), "gt.json");
        var images = string.Join(",", Enumerable.Range(1, 5).Select(i => $$"""{"id":{{i}},"file_name":"{{i}}.tif","width":24,"height":20}"""));
        var annotations = string.Join(",", Enumerable.Range(0, 7000).Select(i =>
        {
            var x = i % 17;
            var y = i / 17 % 13;
            return $$"""{"id":{{70000 - i}},"image_id":{{i % 5 + 1}},"category_id":1,"segmentation":[[{{x}}.5,{{y}},{{x + 6}},{{y + 1}}.25,{{x + 3}},{{y + 6}}]],"area":9,"iscrowd":0}""";
        }));
        await File.WriteAllTextAsync(path, $$"""{"images":[{{images}}],"categories":[{"id":1,"name":"cell"}],"annotations":[{{annotations}}]}""");

        var streamed = await EvalGroundTruth.LoadAsync(path, IouType.Segm);
        var inMemory = EvalGroundTruth.FromDataset(await CocoReader.LoadAsync(path), IouType.Segm);

        Assert.Equal(7000, streamed.ObjectCount);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(
                inMemory.ObjectsByImage[i].Select(o => (o.Id, o.Mask!.ToCompressedString())),
                streamed.ObjectsByImage[i].Select(o => (o.Id, o.Mask!.ToCompressedString())));
            Assert.Equal(streamed.ObjectsByImage[i].Select(o => o.Id).OrderDescending(), streamed.ObjectsByImage[i].Select(o => o.Id));
        }
    }

    [Fact]
    public async Task A_bad_record_stops_the_streaming_load_with_its_name()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "gt.json");
        var annotations = string.Join(",", Enumerable.Range(0, 3000).Select(i => $$"""{"id":{{i + 10}},"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":8,"iscrowd":0}"""));
        await File.WriteAllTextAsync(path, $$"""{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"categories":[{"id":1,"name":"cell"}],"annotations":[{{annotations}},{"id":99999,"image_id":1,"category_id":1,"segmentation":[[1,1]],"area":1}]}""");

        var ex = await Assert.ThrowsAsync<CellSeg.Data.DataFormatException>(() => EvalGroundTruth.LoadAsync(path, IouType.Segm));
        Assert.Equal("annotation 99999", ex.Record);

        var lenient = await EvalGroundTruth.LoadAsync(path, IouType.Segm, new CocoReadOptions { Lenient = true });
        Assert.Equal(3000, lenient.ObjectCount);
        Assert.Equal("annotation 99999", Assert.Single(lenient.Issues).Record);
    }
}
