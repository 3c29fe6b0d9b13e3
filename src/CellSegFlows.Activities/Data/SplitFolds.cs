using CellSeg.Data.Coco;
using CellSeg.Data.Folds;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>One fold of a k-fold cross-validation split stratified by cell type (the extension study's data): training and held-out annotations and images.</summary>
[Activity("SplitFolds", Category = "Data", Description = "One fold of a seeded k-fold split stratified by cell type: the held-out images (about 1/k of every cell type) and the rest for training, as annotations + images; refuses LIVECell's val split (release data).")]
public sealed class SplitFolds : Activity<SplitFolds.Input, SplitFolds.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth of the images to split (e.g. the test split).")] ArtifactRef Annotations,
        [property: Port("The images, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Which fold this node outputs, 0..k-1.")] int Fold = 0,
        [property: Port("Folds (2..; at most the images of the smallest cell type kept).")] int K = 2,
        [property: Port("Keep only these cell types; empty: all.")] IReadOnlyList<string>? CellTypes = null,
        [property: Port("COCO ground truth of LIVECell's val split (release data): any of its images in 'annotations' is refused.")] ArtifactRef? ValAnnotations = null,
        [property: Port("Seed of the split.")] int Seed = 1);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("COCO ground truth of the training images of this fold.")] ArtifactRef TrainAnnotations,
        [property: Port("The training images.")] IReadOnlyList<ArtifactRef> TrainImages,
        [property: Port("COCO ground truth of the held-out images of this fold.")] ArtifactRef HeldOutAnnotations,
        [property: Port("The held-out images.")] IReadOnlyList<ArtifactRef> HeldOutImages);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        if (input.K < 2)
        {
            throw new ActivityInputException("k", $"must be at least 2, was {input.K}");
        }

        if (input.Fold < 0 || input.Fold >= input.K)
        {
            throw new ActivityInputException("fold", $"must be in 0..{input.K - 1} (k = {input.K}), was {input.Fold}");
        }

        var dataset = await CocoReader.LoadAsync(context.Artifacts.GetPath(input.Annotations), cancellationToken: ct).ConfigureAwait(false);
        HashSet<string>? release = null;
        if (input.ValAnnotations is { } val)
        {
            var valSet = await CocoReader.LoadAsync(context.Artifacts.GetPath(val), cancellationToken: ct).ConfigureAwait(false);
            release = [.. valSet.Images.Select(i => Path.GetFileName(i.FileName))];
        }

        var fold = StratifiedFolds.Split(dataset, input.K, input.Seed, input.CellTypes, release)[input.Fold];
        var byName = input.Images.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var trainPath = Path.Combine(context.WorkFolder, "train.json");
        var heldOutPath = Path.Combine(context.WorkFolder, "held-out.json");
        await WriteAsync(fold.Train, trainPath, ct).ConfigureAwait(false);
        await WriteAsync(fold.HeldOut, heldOutPath, ct).ConfigureAwait(false);
        context.ReportMetric("trainImages", fold.Train.Images.Count, null);
        context.ReportMetric("heldOutImages", fold.HeldOut.Images.Count, null);
        return new Output(
            await context.Artifacts.PutFileAsync(trainPath, $"fold{input.Fold}-train.json", ct).ConfigureAwait(false),
            ImagesOf(fold.Train, byName),
            await context.Artifacts.PutFileAsync(heldOutPath, $"fold{input.Fold}-held-out.json", ct).ConfigureAwait(false),
            ImagesOf(fold.HeldOut, byName));
    }

    private static async Task WriteAsync(CocoDataset dataset, string path, CancellationToken ct)
    {
        var temp = path + ".tmp";
        await CocoWriter.WriteDatasetAsync(dataset, temp, ct).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    private static List<ArtifactRef> ImagesOf(CocoDataset dataset, Dictionary<string, ArtifactRef> byName) =>
        [.. dataset.Images.Select(i => byName.TryGetValue(i.FileName, out var a) || byName.TryGetValue(Path.GetFileName(i.FileName), out a)
            ? a
            : throw new ActivityInputException("images", $"image '{i.FileName}' of the annotations is not among the images given"))];
}
