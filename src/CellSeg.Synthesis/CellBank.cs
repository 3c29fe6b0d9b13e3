using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;

namespace CellSeg.Synthesis;

/// <summary>Cells the bank left out, per reason.</summary>
/// <param name="Border">Cells whose mask touches the image border (partial cells), unless <see cref="CellBankOptions.IncludeBorderCells"/>.</param>
/// <param name="Small">Cells with fewer than <see cref="CellBankOptions.MinCellArea"/> mask pixels (including empty masks).</param>
/// <param name="Crowd">Annotations flagged <c>iscrowd</c> (regions, not cells).</param>
public sealed record BankExclusions(int Border, int Small, int Crowd)
{
    /// <summary>All left-out annotations.</summary>
    public int Total => Border + Small + Crowd;
}

/// <summary>
/// Every usable annotated cell of a set of real images, cut out with its mask and grouped by cell type,
/// plus cell-free backgrounds made from the same images and the real number of cells per image of
/// each type (for calibrated densities). Build one with <c>BuildAsync</c>.
/// </summary>
public sealed class CellBank
{
    private readonly Dictionary<string, IReadOnlyList<BankCell>> _cells;
    private readonly Dictionary<string, IReadOnlyList<SyntheticBackground>> _backgrounds;
    private readonly Dictionary<string, IReadOnlyList<int>> _cellsPerImage;
    private readonly Dictionary<string, BankExclusions> _exclusions;
    private readonly Dictionary<string, SyntheticBackground> _originals;

    internal CellBank(
        Dictionary<string, IReadOnlyList<BankCell>> cells,
        Dictionary<string, IReadOnlyList<SyntheticBackground>> backgrounds,
        Dictionary<string, IReadOnlyList<int>> cellsPerImage,
        Dictionary<string, BankExclusions> exclusions,
        Dictionary<string, SyntheticBackground> originals)
    {
        _cells = cells;
        _backgrounds = backgrounds;
        _cellsPerImage = cellsPerImage;
        _exclusions = exclusions;
        _originals = originals;
        CellTypes = [.. Data.Livecell.CellTypes.All.Where(t => cells.TryGetValue(t, out var list) && list.Count > 0 && backgrounds.ContainsKey(t))];
    }

    /// <summary>Every cell type the source had an image of, with or without usable cells (what a bank file stores).</summary>
    internal IReadOnlyList<string> AllTypes => [.. _cellsPerImage.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The cell types that have at least one cell, in LIVECell's order (A172, BT474, …).</summary>
    public IReadOnlyList<string> CellTypes { get; }

    /// <summary>The cells of one type (empty for a type the source did not have).</summary>
    public IReadOnlyList<BankCell> CellsOf(string cellType) => _cells.GetValueOrDefault(cellType) ?? [];

    /// <summary>The backgrounds of one type, most real background first.</summary>
    public IReadOnlyList<SyntheticBackground> BackgroundsOf(string cellType) => _backgrounds.GetValueOrDefault(cellType) ?? [];

    /// <summary>Number of annotations (all of them, excluded ones too) on each source image of this type: the real density distribution.</summary>
    public IReadOnlyList<int> CellsPerImageOf(string cellType) => _cellsPerImage.GetValueOrDefault(cellType) ?? [];

    /// <summary>What was left out for this type, and why.</summary>
    public BankExclusions ExclusionsOf(string cellType) => _exclusions.GetValueOrDefault(cellType) ?? new BankExclusions(0, 0, 0);

    /// <summary>The first source image of this type, unchanged (the left panel of a preview sheet).</summary>
    public SyntheticBackground? OriginalOf(string cellType) => _originals.GetValueOrDefault(cellType);

    /// <summary>Total cells over all types.</summary>
    public int Count => _cells.Values.Sum(c => c.Count);

    /// <summary>
    /// Cuts every annotated cell out of the images of <paramref name="dataset"/>. An image is looked up
    /// as <c>imagesFolder/file_name</c>, then <c>imagesFolder/&lt;CellType&gt;/file_name</c> (LIVECell's own layout).
    /// </summary>
    /// <exception cref="DataFormatException">An image file is missing or unreadable, has another size than its record, or its name does not start with a cell type.</exception>
    public static Task<CellBank> BuildAsync(CocoDataset dataset, string imagesFolder, CellBankOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagesFolder);
        return BuildAsync(dataset, image => FindInFolder(imagesFolder, image.FileName), options, progress, cancellationToken);
    }

    /// <summary>As the folder overload, with the caller saying where each image file is (null when it has none).</summary>
    public static async Task<CellBank> BuildAsync(CocoDataset dataset, Func<CocoImage, string?> locate, CellBankOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(locate);
        options ??= new CellBankOptions();
        if (options.HaloWidth is < 0 or > 32)
        {
            throw new ArgumentException($"cell bank option HaloWidth must be in 0..32, was {options.HaloWidth}", nameof(options));
        }
        var source = dataset.SourcePath ?? "annotations";
        var cells = new Dictionary<string, List<BankCell>>(StringComparer.Ordinal);
        var perImage = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var excluded = new Dictionary<string, (int Border, int Small, int Crowd)>(StringComparer.Ordinal);
        var originals = new Dictionary<string, SyntheticBackground>(StringComparer.Ordinal);
        var backgrounds = new BackgroundBuilder(options);
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var sampler = new SeededRandom(SeededRandom.Derive(23, 0));
        var done = 0;
        foreach (var image in dataset.Images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = $"image {image.Id} '{image.FileName}'";
            if (!Data.Livecell.CellTypes.TryFromFileName(image.FileName, out var cellType))
            {
                throw new DataFormatException(source, record, $"file name does not start with a LIVECell cell type ({string.Join(", ", Data.Livecell.CellTypes.All)}) and '_'; the bank groups cells by cell type");
            }

            var path = locate(image);
            if (path is null || !File.Exists(path))
            {
                throw new DataFormatException(path ?? image.FileName, record, $"image file named in {source} was not found");
            }

            var pixels = ToEightBit(await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false));
            int w = image.Width, h = image.Height;
            if (pixels.Width != w || pixels.Height != h)
            {
                throw new DataFormatException(path, record, $"image is {pixels.Width}x{pixels.Height} but {source} says {w}x{h}");
            }

            var annotations = dataset.AnnotationsOf(image.Id);
            perImage.TryAdd(cellType, []);
            perImage[cellType].Add(annotations.Count);
            cells.TryAdd(cellType, []);
            var (border, small, crowd) = excluded.GetValueOrDefault(cellType);
            var union = new byte[w * h];
            if (options.HaloWidth > 0)
            {
                foreach (var annotation in annotations)
                {
                    foreach (var (x, y) in annotation.Segmentation.ToRle(h, w).ForegroundPixels())
                    {
                        union[y * w + x] = 1;
                    }
                }
            }

            var level = options.HaloWidth > 0 ? BackgroundLevel(pixels.Pixels8, BackgroundBuilder.FreeMask(union, w, h, options.BackgroundMargin)) : (byte)128;
            foreach (var annotation in annotations)
            {
                var (cut, touchesBorder) = CellCutter.Cut(annotation, cellType, pixels.Pixels8, w, h, union, options.HaloWidth, level);
                if (annotation.IsCrowd)
                {
                    crowd++;
                }
                else if (cut is null || cut.Area < options.MinCellArea)
                {
                    small++;
                }
                else if (!options.IncludeBorderCells && touchesBorder)
                {
                    border++;
                }
                else
                {
                    Keep(cells[cellType], cut, options.MaxCellsPerType, seen, ref sampler);
                }
            }

            excluded[cellType] = (border, small, crowd);
            backgrounds.Add(cellType, image.Id, pixels.Pixels8, w, h, union);
            originals.TryAdd(cellType, new SyntheticBackground(cellType, image.Id, w, h, pixels.Pixels8, 1));
            progress?.Report(++done / (double)dataset.Images.Count);
        }

        return new CellBank(
            cells.ToDictionary(p => p.Key, p => (IReadOnlyList<BankCell>)p.Value, StringComparer.Ordinal),
            backgrounds.Finish(),
            perImage.ToDictionary(p => p.Key, p => (IReadOnlyList<int>)p.Value, StringComparer.Ordinal),
            excluded.ToDictionary(p => p.Key, p => new BankExclusions(p.Value.Border, p.Value.Small, p.Value.Crowd), StringComparer.Ordinal),
            originals);
    }

    /// <summary>The median of the free pixels (all pixels when none is free).</summary>
    private static byte BackgroundLevel(byte[] pixels, byte[] free)
    {
        var counts = new long[256];
        long n = 0;
        for (var i = 0; i < pixels.Length; i++)
        {
            if (free[i] != 0)
            {
                counts[pixels[i]]++;
                n++;
            }
        }

        if (n == 0)
        {
            foreach (var p in pixels)
            {
                counts[p]++;
            }

            n = pixels.Length;
        }

        long seen = 0;
        for (var v = 0; v < 256; v++)
        {
            seen += counts[v];
            if (2 * seen >= n)
            {
                return (byte)v;
            }
        }

        return 128;
    }

    /// <summary>Reservoir sampling: with a cap, every usable cell has the same chance to be kept.</summary>
    private static void Keep(List<BankCell> list, BankCell cell, int? cap, Dictionary<string, long> seen, ref SeededRandom random)
    {
        var n = seen[cell.CellType] = seen.GetValueOrDefault(cell.CellType) + 1;
        if (cap is not { } max || list.Count < max)
        {
            list.Add(cell);
            return;
        }

        var j = (long)(random.NextDouble() * n);
        if (j < max)
        {
            list[(int)j] = cell;
        }
    }

    /// <summary>The image's file, or the path it would have in the folder itself (the error then names it).</summary>
    private static string FindInFolder(string folder, string fileName) =>
        Data.Livecell.LivecellLayout.TryResolveImageIn(folder, fileName, out var path) ? path : Path.Combine(folder, fileName);

    /// <summary>16-bit images are scaled to 8 bits (v / 257), the depth of LIVECell and of the synthetic images.</summary>
    private static GrayImage ToEightBit(GrayImage image)
    {
        if (image.BitDepth == 8)
        {
            return image;
        }

        var source = image.Pixels16;
        var pixels = new byte[source.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((source[i] + 128) / 257);
        }

        return new GrayImage(image.Width, image.Height, pixels);
    }
}
