using System.Diagnostics.CodeAnalysis;

namespace CellSeg.Data.Livecell;

/// <summary>
/// Finds the files of a LIVECell dataset folder, whichever of the common layouts it uses: the
/// official download (<c>annotations/LIVECell/livecell_coco_train.json</c>,
/// <c>annotations/LIVECell_single_cells/a172/train.json</c>, images in per-cell-type subfolders),
/// the Kaggle copy (<c>livecell_a172_train.json</c>), or a flat folder of JSON files and images.
/// </summary>
/// <remarks>
/// Nothing is searched until asked for, so a layout can be opened on a folder that only holds the
/// parts one needs. Every "not found" error lists the paths that were looked at.
/// </remarks>
public sealed class LivecellLayout
{
    /// <summary>Folder (under <c>images</c>) of the test images.</summary>
    public const string TestImagesFolder = "livecell_test_images";

    /// <summary>Folder (under <c>images</c>) of the train and val images, which share it.</summary>
    public const string TrainValImagesFolder = "livecell_train_val_images";

    private const string AnnotationsFolder = "annotations";
    private const string WideFolder = "LIVECell";
    private const string SingleCellsFolder = "LIVECell_single_cells";
    private const string ImagesFolder = "images";

    /// <summary>Opens the layout of a dataset folder.</summary>
    /// <param name="root">The folder that holds <c>annotations</c> and <c>images</c> (or the JSON files themselves).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public LivecellLayout(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"LIVECell dataset folder not found: {full}");
        }

        Root = full;
    }

    /// <summary>The dataset folder, as a full path.</summary>
    public string Root { get; }

    /// <summary>
    /// The LIVECell-wide annotation file <c>livecell_coco_&lt;split&gt;.json</c>. Looked for, in this order:
    /// anywhere under <c>annotations/LIVECell</c>, then directly in <c>annotations</c>, then in the root;
    /// the first place that has it wins.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file; the message lists where it was looked for.</exception>
    /// <exception cref="DataFormatException">More than one copy lies under <c>annotations/LIVECell</c>.</exception>
    public string FindAnnotationFile(LivecellSplit split) =>
        FindFirst(WideCandidates(split), $"LIVECell {SplitToken(split)} annotations");

    /// <summary>As <see cref="FindAnnotationFile(LivecellSplit)"/>, but returns false when the file is missing.</summary>
    /// <exception cref="DataFormatException">More than one copy lies under <c>annotations/LIVECell</c>.</exception>
    public bool TryFindAnnotationFile(LivecellSplit split, [NotNullWhen(true)] out string? path) =>
        TryFindFirst(WideCandidates(split), out path);

    /// <summary>
    /// The annotation file of one cell type and split. Looked for, in this order:
    /// <c>annotations/LIVECell_single_cells/&lt;type&gt;/&lt;split&gt;.json</c> (the official name, type in lower case),
    /// then <c>livecell_&lt;type&gt;_&lt;split&gt;.json</c> (the Kaggle name) in that folder, in
    /// <c>annotations/LIVECell_single_cells</c>, in <c>annotations</c> and in the root.
    /// </summary>
    /// <param name="cellType">One of <see cref="CellTypes.All"/>.</param>
    /// <param name="split">The split.</param>
    /// <exception cref="ArgumentException">The cell type is not one of the eight.</exception>
    /// <exception cref="FileNotFoundException">No such file; the message lists where it was looked for.</exception>
    public string FindCellTypeAnnotationFile(string cellType, LivecellSplit split) =>
        FindFirst(CellTypeCandidates(cellType, split), $"{cellType} {SplitToken(split)} annotations");

    /// <summary>As <see cref="FindCellTypeAnnotationFile"/>, but returns false when the file is missing.</summary>
    /// <exception cref="ArgumentException">The cell type is not one of the eight.</exception>
    public bool TryFindCellTypeAnnotationFile(string cellType, LivecellSplit split, [NotNullWhen(true)] out string? path) =>
        TryFindFirst(CellTypeCandidates(cellType, split), out path);

    /// <summary>
    /// The image folder of a split: <c>images/livecell_test_images</c> for test,
    /// <c>images/livecell_train_val_images</c> for train and val.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public string GetImageFolder(LivecellSplit split)
    {
        var folder = ImageFolderPath(split);
        return Directory.Exists(folder)
            ? folder
            : throw new DirectoryNotFoundException($"LIVECell {SplitToken(split)} image folder not found: {folder}");
    }

    /// <summary>
    /// The path of an image of a split, given its file name as the annotation file has it. The image may
    /// lie directly in the split's image folder or in a subfolder named after its cell type (any letter case).
    /// </summary>
    /// <exception cref="FileNotFoundException">The image is in neither place; the message lists the paths tried.</exception>
    /// <exception cref="DirectoryNotFoundException">The split's image folder does not exist.</exception>
    public string ResolveImage(string fileName, LivecellSplit split)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var tried = new List<string>();
        if (TryResolveImageIn(GetImageFolder(split), fileName, out var path, tried))
        {
            return path;
        }

        throw NotFound($"LIVECell image {fileName}", tried);
    }

    /// <summary>
    /// The path of an image when its split is not known: the test folder is searched, then the train/val
    /// folder (a missing folder is skipped), each flat or by cell-type subfolder.
    /// </summary>
    /// <exception cref="FileNotFoundException">The image is nowhere; the message lists the paths tried.</exception>
    public string ResolveImage(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var tried = new List<string>();
        foreach (var split in new[] { LivecellSplit.Test, LivecellSplit.Train })
        {
            if (TryResolveImageIn(ImageFolderPath(split), fileName, out var path, tried))
            {
                return path;
            }
        }

        throw NotFound($"LIVECell image {fileName}", tried);
    }

    private string ImageFolderPath(LivecellSplit split) =>
        Path.Combine(Root, ImagesFolder, split == LivecellSplit.Test ? TestImagesFolder : TrainValImagesFolder);

    /// <summary>
    /// Finds an image file in <paramref name="folder"/> given its file name as an annotation file has it:
    /// the name as given (it may carry a subfolder), then its last part in the folder itself, then in a
    /// subfolder named after its LIVECell cell type (any letter case, as the official zip and other
    /// copies differ). The one lookup of an image record's file, for every reader of COCO image folders.
    /// </summary>
    /// <param name="folder">The image folder. A missing folder finds nothing.</param>
    /// <param name="fileName">The record's file name.</param>
    /// <param name="path">The file found, or null.</param>
    /// <param name="tried">When given, receives every path looked at, for an error that lists them.</param>
    /// <returns>Whether the file was found.</returns>
    public static bool TryResolveImageIn(string folder, string fileName, [NotNullWhen(true)] out string? path, ICollection<string>? tried = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (!Directory.Exists(folder))
        {
            tried?.Add(folder + Path.DirectorySeparatorChar + " (folder missing)");
            path = null;
            return false;
        }

        var name = Path.GetFileName(fileName);
        if (name != fileName)
        {
            path = Path.Combine(folder, fileName);
            tried?.Add(path);
            if (File.Exists(path))
            {
                return true;
            }
        }

        path = Path.Combine(folder, name);
        tried?.Add(path);
        if (File.Exists(path))
        {
            return true;
        }

        if (CellTypes.TryFromFileName(name, out var cellType))
        {
            var subfolderSeen = false;
            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                if (string.Equals(Path.GetFileName(sub), cellType, StringComparison.OrdinalIgnoreCase))
                {
                    subfolderSeen = true;
                    path = Path.Combine(sub, name);
                    tried?.Add(path);
                    if (File.Exists(path))
                    {
                        return true;
                    }
                }
            }

            if (!subfolderSeen)
            {
                tried?.Add(Path.Combine(folder, cellType, name) + " (no such subfolder)");
            }
        }

        path = null;
        return false;
    }

    private IEnumerable<AnnotationCandidate> WideCandidates(LivecellSplit split)
    {
        var name = $"livecell_coco_{SplitToken(split)}.json";
        var annotations = Path.Combine(Root, AnnotationsFolder);
        yield return AnnotationCandidate.Anywhere(Path.Combine(annotations, WideFolder), name);
        yield return AnnotationCandidate.Exact(Path.Combine(annotations, name));
        yield return AnnotationCandidate.Exact(Path.Combine(Root, name));
    }

    private IEnumerable<AnnotationCandidate> CellTypeCandidates(string cellType, LivecellSplit split)
    {
        if (!CellTypes.IsKnown(cellType))
        {
            throw new ArgumentException($"'{cellType}' is not a LIVECell cell type ({string.Join(", ", CellTypes.All)})", nameof(cellType));
        }

        var lower = cellType.ToLowerInvariant();
        var token = SplitToken(split);
        var kaggleName = $"livecell_{lower}_{token}.json";
        var singleCells = Path.Combine(Root, AnnotationsFolder, SingleCellsFolder);
        var typeFolder = Path.Combine(singleCells, lower);
        return
        [
            AnnotationCandidate.Exact(Path.Combine(typeFolder, $"{token}.json")),
            AnnotationCandidate.Exact(Path.Combine(typeFolder, kaggleName)),
            AnnotationCandidate.Exact(Path.Combine(singleCells, kaggleName)),
            AnnotationCandidate.Exact(Path.Combine(Root, AnnotationsFolder, kaggleName)),
            AnnotationCandidate.Exact(Path.Combine(Root, kaggleName)),
        ];
    }

    private static string FindFirst(IEnumerable<AnnotationCandidate> candidates, string what)
    {
        var list = candidates.ToList();
        return TryFindFirst(list, out var path) ? path : throw NotFound(what, list.Select(c => c.Describe()));
    }

    private static bool TryFindFirst(IEnumerable<AnnotationCandidate> candidates, [NotNullWhen(true)] out string? path)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.TryFind(out path))
            {
                return true;
            }
        }

        path = null;
        return false;
    }

    private static FileNotFoundException NotFound(string what, IEnumerable<string> tried)
    {
        var list = tried.ToList();
        return new FileNotFoundException($"{what} not found; looked for: {string.Join("; ", list)}", list.FirstOrDefault());
    }

    private static string SplitToken(LivecellSplit split) => split switch
    {
        LivecellSplit.Train => "train",
        LivecellSplit.Val => "val",
        LivecellSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "not a LIVECell split"),
    };
}
