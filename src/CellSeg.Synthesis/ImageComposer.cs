namespace CellSeg.Synthesis;

/// <summary>
/// Composes synthetic images of one size: a real-texture background, then cells pasted one after
/// another at random positions, angles and flips. Visibility is decided before a cell is drawn: a
/// placement is refused when the new cell would show less than the minimum, or would push any cell
/// already there below it, or breaks the overlap rule. So every pasted cell stays annotated, and
/// its annotation is exactly the pixels where the label image shows it.
/// </summary>
/// <remarks>
/// The composer draws the random choices and hands the work on: <see cref="BackgroundRenderer"/> draws the
/// background, a cell rasteriser turns a rotated, flipped cell into runs, probe points turn down crowded
/// positions cheaply, and a placement ledger decides visibility and pastes. Not thread-safe: those
/// helpers own scratch buffers. Use one composer per thread.
/// </remarks>
public sealed class ImageComposer
{
    private const int MaxCells = ushort.MaxValue;

    /// <summary>Arbitrary rotation draws one of this many angles (steps of 0.088°), from a table.</summary>
    private const int AngleSteps = 4096;

    private static readonly int[] CosTable = Enumerable.Range(0, AngleSteps).Select(i => (int)Math.Round(Math.Cos(2 * Math.PI * i / AngleSteps) * 65536)).ToArray();

    private readonly CellRasteriser _rasteriser = new();
    private readonly CellProbes _probes = new();
    private readonly PlacementLedger _ledger = new();

    /// <summary>
    /// Composes one image of <paramref name="cellType"/> with <paramref name="count"/> cells asked for.
    /// Everything random comes from <paramref name="seed"/>. Pass the previous result as
    /// <paramref name="reuse"/> to draw into its buffers instead of allocating new ones (it is overwritten).
    /// </summary>
    /// <exception cref="ArgumentException">The bank has no cells or backgrounds of that type, or the count is out of range.</exception>
    public ComposedImage Compose(CellBank bank, string cellType, int count, SynthesisOptions options, ulong seed, ComposedImage? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        var cells = bank.CellsOf(cellType);
        var backgrounds = bank.BackgroundsOf(cellType);
        if (cells.Count == 0 || backgrounds.Count == 0)
        {
            throw new ArgumentException($"the cell bank has no {cellType} cells or backgrounds", nameof(cellType));
        }

        if (count is < 0 or > MaxCells)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"cells per image must be in 0..{MaxCells}, was {count}");
        }

        var random = new SeededRandom(seed);
        var backgroundIndex = random.Next(backgrounds.Count);
        var background = backgrounds[backgroundIndex];
        var width = options.Width ?? background.Width;
        var height = options.Height ?? background.Height;
        var image = reuse is not null && reuse.Width == width && reuse.Height == height ? reuse : new ComposedImage(width, height);
        if (ReferenceEquals(image, reuse))
        {
            Array.Clear(image.Labels);
            image.Placements.Clear();
        }

        image.Requested = count;
        image.BackgroundIndex = backgroundIndex;
        image.BackgroundFlips = random.Next(4);
        image.BackgroundOffsetX = width < background.Width ? random.Next(background.Width - width + 1) : 0;
        image.BackgroundOffsetY = height < background.Height ? random.Next(background.Height - height + 1) : 0;
        BackgroundRenderer.Render(background, image.BackgroundFlips, image.BackgroundOffsetX, image.BackgroundOffsetY, image.Pixels, width, height);
        _ledger.EnsureCapacity(count + 1);

        var clusters = options.Overlap == OverlapMode.Clustered ? ClusterCentres(ref random, options, count, width, height) : [];
        var spread = options.ClusterSpread > 0 ? options.ClusterSpread : 0.06 * Math.Min(width, height);
        var failuresInARow = 0;
        for (var i = 0; i < count && failuresInARow < options.FullAfterFailures; i++)
        {
            var cell = cells[random.Next(cells.Count)];
            _rasteriser.EnsureCapacity(cell);
            failuresInARow++;

            // Angle and flip are drawn once per cell, and the rotated cell is rasterised once; the attempts
            // then only move it, each costing a pass over its pixels rather than a new rotation.
            int cos, sin;
            if (options.ArbitraryRotation)
            {
                var angle = random.Next(AngleSteps);
                cos = CosTable[angle];
                sin = CosTable[(angle + 3 * AngleSteps / 4) % AngleSteps];
            }
            else
            {
                (cos, sin) = random.Next(4) switch { 0 => (65536, 0), 1 => (0, 65536), 2 => (-65536, 0), _ => (0, -65536) };
            }

            var flip = random.Next(2) == 1;
            var placement = new CellPlacement(cell, 0, 0, 0, cos, sin, flip);
            _probes.Orient(placement);
            var rasterised = false;
            for (var attempt = 0; attempt < options.MaxAttempts; attempt++)
            {
                int cx, cy;
                if (clusters.Length > 0)
                {
                    var (kx, ky) = clusters[random.Next(clusters.Length)];
                    cx = Math.Clamp((int)Math.Round(kx + random.NextGaussian() * spread), 0, width - 1);
                    cy = Math.Clamp((int)Math.Round(ky + random.NextGaussian() * spread), 0, height - 1);
                }
                else
                {
                    cx = random.Next(width);
                    cy = random.Next(height);
                }

                // A quick look at 16 points of the cell first: most crowded positions fail here, before the
                // cell is rasterised or its pixels visited. It only ever refuses more (accepted cells still
                // meet every rule exactly).
                if (_probes.Crowded(image.Labels, width, height, cx, cy, options))
                {
                    continue;
                }

                if (!rasterised)
                {
                    _rasteriser.Rasterise(placement);
                    rasterised = true;
                }

                if (_ledger.TryPlace(image, _rasteriser, cx, cy, options))
                {
                    var placed = placement with { Label = image.Placements.Count + 1, CenterX = cx, CenterY = cy };
                    image.Placements.Add(placed);
                    if (options.PasteHalo)
                    {
                        HaloPainter.Paint(image, placed);
                    }

                    failuresInARow = 0;
                    break;
                }
            }
        }

        return image;
    }

    private static (double X, double Y)[] ClusterCentres(ref SeededRandom random, SynthesisOptions options, int count, int width, int height)
    {
        var k = options.ClusterCount > 0 ? options.ClusterCount : Math.Max(1, (int)Math.Round(count / 40.0));
        var centres = new (double, double)[k];
        for (var i = 0; i < k; i++)
        {
            centres[i] = (random.NextDouble() * width, random.NextDouble() * height);
        }

        return centres;
    }
}
