using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Models.CenterMask;
using TorchSharp;

namespace CellSeg.Models.Tests.CenterMask;

public class CenterMaskPredictorTests
{
    private static string UntrainedModel(string folder)
    {
        torch.manual_seed(5);
        using var model = new CenterMaskModel(TinyCenterMask.Config);
        var path = Path.Combine(folder, "cm.model");
        CenterMaskModelFile.Save(model, path);
        return path;
    }

    [Fact]
    public async Task Images_named_by_file_give_a_results_file_that_CocoReader_reads_back_with_the_options_applied()
    {
        var (_, images) = await LivecellCrops.WriteAsync(64, 1037332, 100601);
        var folder = TestPaths.NewTempFolder();
        var names = Directory.GetFiles(images, "*.png").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var reports = new List<CenterMaskPredictProgress>();
        var output = Path.Combine(folder, "results.json");
        var result = await CenterMaskPredictor.PredictAsync(new CenterMaskPredictOptions
        {
            ModelPath = UntrainedModel(folder),
            ImagesFolder = images,
            FileNames = names,
            OutputPath = output,
            ScoreThreshold = 0f,
            PostNmsTopK = 7,
            TestSize = 0,
            Threads = 2,
        }, new SyncProgress<CenterMaskPredictProgress>(reports.Add));

        Assert.Equal(2, result.Images);
        Assert.Equal(14, result.Detections);
        Assert.Equal([1, 2], reports.Select(r => r.Done));
        var read = await CocoReader.LoadDetectionsAsync(output);
        Assert.Empty(read.Issues);
        Assert.Equal(14, read.Detections.Count);
        Assert.Equal([1L, 2L], read.Detections.Select(d => d.ImageId).Distinct().Order());
        Assert.All(read.Detections, d =>
        {
            var rle = Assert.IsType<RleSegmentation>(d.Segmentation).Rle;
            Assert.Equal((64, 64), (rle.Height, rle.Width));
            Assert.Equal(1, d.CategoryId);
            Assert.InRange(d.Bbox!.Value.X + d.Bbox.Value.Width, 0, 64.001);
        });
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task Cancelling_after_the_first_image_writes_no_results_file()
    {
        var (annotations, images) = await LivecellCrops.WriteAsync(64, 1037332, 100601);
        var folder = TestPaths.NewTempFolder();
        using var cancel = new CancellationTokenSource();
        var output = Path.Combine(folder, "results.json");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CenterMaskPredictor.PredictAsync(new CenterMaskPredictOptions
        {
            ModelPath = UntrainedModel(folder), ImagesFolder = images, Annotations = annotations, OutputPath = output, Threads = 2,
        }, new SyncProgress<CenterMaskPredictProgress>(_ => cancel.Cancel()), cancel.Token));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_missing_image_is_reported_with_the_annotations_file_and_the_image_record()
    {
        var (annotations, images) = await LivecellCrops.WriteAsync(64, 1037332);
        var folder = TestPaths.NewTempFolder();
        File.Delete(Directory.GetFiles(images, "*.png").Single());
        var e = await Assert.ThrowsAsync<DataFormatException>(() => CenterMaskPredictor.PredictAsync(new CenterMaskPredictOptions
        {
            ModelPath = UntrainedModel(folder), ImagesFolder = images, Annotations = annotations, OutputPath = Path.Combine(folder, "r.json"),
        }));
        Assert.Equal(annotations, e.FilePath);
        Assert.Contains("1037332", e.Message);
        Assert.False(File.Exists(Path.Combine(folder, "r.json")));

        var train = await Assert.ThrowsAsync<DataFormatException>(() => CenterMaskTrainer.TrainAsync(new CenterMaskTrainOptions
        {
            Train = new CocoImageSet(annotations, images), Model = TinyCenterMask.Config, OutputModelPath = Path.Combine(folder, "cm2.model"),
        }));
        Assert.Equal(annotations, train.FilePath);
        Assert.Contains("Huh7_Phase_A10_1_02d12h00m_3", train.Message);
    }

    [Fact]
    public async Task A_results_file_or_a_missing_file_given_as_annotations_is_refused_naming_it()
    {
        var folder = TestPaths.NewTempFolder();
        var results = Path.Combine(folder, "results.json");
        await File.WriteAllTextAsync(results, "[]");
        foreach (var bad in new[] { results, Path.Combine(folder, "missing.json") })
        {
            var e = await Assert.ThrowsAsync<DataFormatException>(() => CenterMaskTrainer.TrainAsync(new CenterMaskTrainOptions
            {
                Train = new CocoImageSet(bad, folder), Model = TinyCenterMask.Config, OutputModelPath = Path.Combine(folder, "cm.model"),
            }));
            Assert.Equal(bad, e.FilePath);
            var p = await Assert.ThrowsAsync<DataFormatException>(() => CenterMaskPredictor.PredictAsync(new CenterMaskPredictOptions
            {
                ModelPath = Path.Combine(folder, "cm.model"), ImagesFolder = folder, Annotations = bad, OutputPath = Path.Combine(folder, "r.json"),
            }));
            Assert.Equal(bad, p.FilePath);
        }

        var model = await Assert.ThrowsAsync<DataFormatException>(() => CenterMaskPredictor.PredictAsync(new CenterMaskPredictOptions
        {
            ModelPath = Path.Combine(folder, "none.model"), ImagesFolder = folder, FileNames = ["a.png"], OutputPath = Path.Combine(folder, "r.json"),
        }));
        Assert.Equal(Path.Combine(folder, "none.model"), model.FilePath);
    }
}
