using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;

namespace CellSeg.Data.Folds;

/// <summary>One fold of a k-fold split: the images held out for scoring and the rest, for training.</summary>
/// <param name="Index">The fold's index, 0..k-1.</param>
/// <param name="Train">The annotations of the training images (every image not held out).</param>
/// <param name="HeldOut">The annotations of the held-out images.</param>
public sealed record Fold(int Index, CocoDataset Train, CocoDataset HeldOut);

/// <summary>
/// Splits a COCO dataset into k folds stratified by cell type (the file name's prefix): each cell type's images are
/// shuffled with the seed and dealt round-robin over the folds, so every fold holds out about 1/k of every cell type,
/// every image is held out exactly once, and the same seed gives the same folds on any machine.
/// </summary>
/// <remarks>
/// Release images (LIVECell's val split, kept for release checks) are refused, not silently dropped: a study that
/// tuned on them would report a number that the release check can no longer confirm.
/// </remarks>
public static class StratifiedFolds
{
    /// <summary>Splits <paramref name="dataset"/> into <paramref name="k"/> folds.</summary>
    /// <param name="dataset">The images and their annotations.</param>
    /// <param name="k">Folds (at least 2, at most the images of the smallest cell type kept).</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="cellTypes">Keep only these cell types; null or empty: all of the dataset's.</param>
    /// <param name="releaseFileNames">File names of release images (e.g. the val split's); any of them in the dataset is an error.</param>
    /// <exception cref="DataFormatException">An image's cell type is unknown, a release image is present, or a cell type has fewer images than k.</exception>
    public static IReadOnlyList<Fold> Split(CocoDataset dataset, int k, int seed, IReadOnlyCollection<string>? cellTypes = null, IReadOnlySet<string>? releaseFileNames = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var file = dataset.SourcePath ?? "annotations";
        if (releaseFileNames is { Count: > 0 })
        {
            var release = dataset.Images.Where(i => releaseFileNames.Contains(Path.GetFileName(i.FileName))).Select(i => i.FileName).Order(StringComparer.Ordinal).ToList();
            if (release.Count > 0)
            {
                throw new DataFormatException(file, release[0], $"{release.Count} image(s) of LIVECell's val split ({string.Join(", ", release.Take(5))}) are release data, kept for release checks: never train or tune on them; give the test split");
            }
        }

        if (cellTypes?.FirstOrDefault(t => !CellTypes.IsKnown(t)) is { } unknown)
        {
            throw new DataFormatException(file, null, $"'{unknown}' is not a LIVECell cell type ({string.Join(", ", CellTypes.All)})");
        }

        var keep = cellTypes is { Count: > 0 } ? new HashSet<string>(cellTypes, StringComparer.Ordinal) : null;
        var byType = new SortedDictionary<string, List<CocoImage>>(StringComparer.Ordinal);
        foreach (var image in dataset.Images)
        {
            if (!CellTypes.TryFromFileName(Path.GetFileName(image.FileName), out var type))
            {
                throw new DataFormatException(file, image.FileName, "the file name does not start with a LIVECell cell type (A172_, BT474_, ...), so the folds cannot be stratified");
            }

            if (keep is null || keep.Contains(type))
            {
                (byType.TryGetValue(type, out var list) ? list : byType[type] = []).Add(image);
            }
        }

        if (keep is not null && keep.FirstOrDefault(t => !byType.ContainsKey(t)) is { } missing)
        {
            throw new DataFormatException(file, null, $"cell type {missing} has no image here");
        }

        if (byType.Count == 0)
        {
            throw new DataFormatException(file, null, "no image to split");
        }

        foreach (var (type, images) in byType)
        {
            if (images.Count < k)
            {
                throw new DataFormatException(file, null, $"cell type {type} has {images.Count} image(s), fewer than the {k} folds (each fold must hold out one of every cell type): lower k or leave {type} out of cellTypes");
            }
        }

        var heldOutFold = new Dictionary<long, int>();
        var random = new Random(seed);
        foreach (var images in byType.Values)
        {
            var order = images.OrderBy(i => i.FileName, StringComparer.Ordinal).ToArray();
            random.Shuffle(order);
            var offset = random.Next(k); // so the first fold does not always get the larger share of every type
            for (var i = 0; i < order.Length; i++)
            {
                heldOutFold[order[i].Id] = (i + offset) % k;
            }
        }

        var folds = new List<Fold>(k);
        for (var f = 0; f < k; f++)
        {
            var fold = f;
            folds.Add(new Fold(f, Subset(dataset, id => heldOutFold.TryGetValue(id, out var h) && h != fold), Subset(dataset, id => heldOutFold.TryGetValue(id, out var h) && h == fold)));
        }

        return folds;
    }

    private static CocoDataset Subset(CocoDataset dataset, Func<long, bool> keep) =>
        new([.. dataset.Images.Where(i => keep(i.Id))], dataset.Categories, [.. dataset.Annotations.Where(a => keep(a.ImageId))], dataset.OtherFieldsJson);
}
