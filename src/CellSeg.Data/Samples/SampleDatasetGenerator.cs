using System.Globalization;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;

namespace CellSeg.Data.Samples;

/// <summary>A generated sample: where its files are and its ground truth.</summary>
/// <param name="AnnotationsPath">COCO ground-truth file.</param>
/// <param name="ImagesFolder">Folder holding the TIFF images named in it.</param>
/// <param name="Dataset">The ground truth in memory.</param>
public sealed record SampleDataset(string AnnotationsPath, string ImagesFolder, CocoDataset Dataset);

/// <summary>
/// Makes a small LIVECell-like dataset offline, with no download: 8-bit phase-contrast-looking TIFFs
/// (background around 128 with texture, dark cell bodies with bright halos) named like LIVECell files,
/// and COCO polygon annotations whose rasterisation is exactly the drawn cell. It feeds the quickstart
/// and tests; it is not a substitute for real data (see CellSeg.Synthesis for images built from real cells).
/// </summary>
public static class SampleDatasetGenerator
{
    /// <summary>Writes <c>images/*.tif</c> and <c>annotations.json</c> under <paramref name="folder"/>.</summary>
    public static async Task<SampleDataset> WriteAsync(string folder, SampleDatasetOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new SampleDatasetOptions();
        if (options.Width < 32 || options.Height < 32 || options.ImagesPerCellType < 1 || !char.IsAsciiLetterUpper(options.Well))
        {
            throw new ArgumentException("sample images must be at least 32x32, there must be at least one per cell type, and the well is one capital letter", nameof(options));
        }

        // Bounded before the first pixel is drawn: a sample is a test fixture, not a way to fill a disk.
        if (options.Width > SampleDatasetOptions.MaxSide || options.Height > SampleDatasetOptions.MaxSide || options.ImagesPerCellType > SampleDatasetOptions.MaxImagesPerCellType)
        {
            throw new ArgumentException($"sample images are at most {SampleDatasetOptions.MaxSide}x{SampleDatasetOptions.MaxSide} and at most {SampleDatasetOptions.MaxImagesPerCellType} per cell type; asked for {options.Width}x{options.Height}, {options.ImagesPerCellType} per cell type", nameof(options));
        }

        var imagesFolder = Path.Combine(folder, "images");
        Directory.CreateDirectory(imagesFolder);
        var images = new List<CocoImage>();
        var annotations = new List<CocoAnnotation>();
        var looks = CellLook.All;
        var total = looks.Count * options.ImagesPerCellType;
        long nextId = 1;
        for (var t = 0; t < looks.Count; t++)
        {
            for (var n = 0; n < options.ImagesPerCellType; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var look = looks[t];
                var random = new Random(ImageSeed(options.Seed, t, n));
                var imageId = nextId++;
                var name = string.Create(CultureInfo.InvariantCulture, $"{look.CellType}_Phase_{options.Well}{t + 1}_1_{n / 6:00}d{n % 6 * 4:00}h00m_{n % 4 + 1}.tif");
                var (pixels, cells) = Draw(look, options.Width, options.Height, random);
                await GrayImageIO.WriteTiffAsync(new GrayImage(options.Width, options.Height, pixels), Path.Combine(imagesFolder, name), cancellationToken).ConfigureAwait(false);
                images.Add(new CocoImage(imageId, name, options.Width, options.Height));
                foreach (var polygon in cells)
                {
                    annotations.Add(new CocoAnnotation(nextId++, imageId, 1, new PolygonSegmentation([polygon]), ShoelaceArea(polygon), Extent(polygon), false));
                }

                progress?.Report((double)images.Count / total);
            }
        }

        var other = new Dictionary<string, string>
        {
            ["info"] = "{\"description\":\"CellSegFlows procedural sample (LIVECell-like, generated offline)\",\"version\":\"1.0\"}",
        };
        var dataset = new CocoDataset(images, [new CocoCategory(1, "cell", "cell")], annotations, other);
        var annotationsPath = Path.Combine(folder, "annotations.json");
        await CocoWriter.WriteDatasetAsync(dataset, annotationsPath, cancellationToken).ConfigureAwait(false);
        return new SampleDataset(annotationsPath, imagesFolder, dataset);
    }

    /// <summary>
    /// The seed of one image from (seed, cell type, index). Not <see cref="HashCode"/>: it is randomised per
    /// process, so the same seed would draw other images in the next run.
    /// </summary>
    internal static int ImageSeed(int seed, int type, int index)
    {
        var x = unchecked(((ulong)(uint)seed << 32) ^ ((ulong)(uint)type << 16) ^ (uint)index);
        x = unchecked((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94d049bb133111ebUL);
        x ^= x >> 31;
        return (int)(x & 0x7fffffff);
    }

    /// <summary>Draws one image: textured background, then each cell as a dark body with a bright rim.</summary>
    private static (byte[] Pixels, List<double[]> Cells) Draw(CellLook look, int width, int height, Random random)
    {
        var field = new double[width * height];
        var phaseX = random.NextDouble() * Math.PI * 2;
        var phaseY = random.NextDouble() * Math.PI * 2;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                field[y * width + x] = 128 + 3 * Math.Sin(x / 37.0 + phaseX) * Math.Cos(y / 29.0 + phaseY) + Gaussian(random) * 4;
            }
        }

        var occupied = new BinaryMask(height, width);
        var cells = new List<double[]>();
        for (var attempt = 0; attempt < look.CellsPerImage * 20 && cells.Count < look.CellsPerImage; attempt++)
        {
            var polygon = CellOutline(look, width, height, random);
            var rle = Rle.FromPolygon(polygon, height, width);
            if (rle.Area < 12 || Overlaps(rle, occupied))
            {
                continue;
            }

            rle.DecodeInto(occupied, 1);
            cells.Add(polygon);
            Shade(field, width, height, rle, random);
        }

        var pixels = new byte[field.Length];
        for (var i = 0; i < field.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp(Math.Round(field[i]), 0, 255);
        }

        return (pixels, cells);
    }

    private static double[] CellOutline(CellLook look, int width, int height, Random random)
    {
        var r = look.MeanRadius * (0.75 + 0.5 * random.NextDouble());
        var a = r * Math.Sqrt(look.Elongation);
        var b = r / Math.Sqrt(look.Elongation);
        var margin = a + 2;
        var cx = margin + random.NextDouble() * Math.Max(1, width - 2 * margin);
        var cy = margin + random.NextDouble() * Math.Max(1, height - 2 * margin);
        var angle = random.NextDouble() * Math.PI;
        var harmonics = new (int K, double Amp, double Phase)[3];
        for (var h = 0; h < harmonics.Length; h++)
        {
            harmonics[h] = (h + 2, look.Wobble * random.NextDouble() / (h + 1), random.NextDouble() * Math.PI * 2);
        }

        const int vertices = 24;
        var xy = new double[vertices * 2];
        for (var v = 0; v < vertices; v++)
        {
            var theta = 2 * Math.PI * v / vertices;
            var wobble = 1.0;
            foreach (var (k, amp, phase) in harmonics)
            {
                wobble += amp * Math.Sin(k * theta + phase);
            }

            var px = a * wobble * Math.Cos(theta);
            var py = b * wobble * Math.Sin(theta);
            var x = cx + px * Math.Cos(angle) - py * Math.Sin(angle);
            var y = cy + px * Math.Sin(angle) + py * Math.Cos(angle);
            xy[v * 2] = Math.Round(Math.Clamp(x, 0, width), 2);
            xy[v * 2 + 1] = Math.Round(Math.Clamp(y, 0, height), 2);
        }

        return xy;
    }

    private static bool Overlaps(Rle rle, BinaryMask occupied) =>
        Rle.IntersectionArea(rle, Rle.Encode(occupied)) > 0;

    /// <summary>Phase-contrast look: darker, textured interior and a bright one-pixel halo just outside.</summary>
    private static void Shade(double[] field, int width, int height, Rle rle, Random random)
    {
        var inside = rle.Decode();
        var depth = 18 + 14 * random.NextDouble();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = y * width + x;
                if (inside.Data[i] != 0)
                {
                    field[i] -= depth + Gaussian(random) * 6;
                }
                else if (NextToInside(inside, x, y))
                {
                    field[i] += 22 + Gaussian(random) * 4;
                }
            }
        }
    }

    private static bool NextToInside(BinaryMask inside, int x, int y)
    {
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                int nx = x + dx, ny = y + dy;
                if (nx >= 0 && ny >= 0 && nx < inside.Width && ny < inside.Height && inside[nx, ny] != 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    internal static double ShoelaceArea(double[] xy)
    {
        var n = xy.Length / 2;
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var j = (i + 1) % n;
            sum += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
        }

        return Math.Abs(sum) / 2;
    }

    private static BoundingBox Extent(double[] xy)
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        for (var i = 0; i < xy.Length; i += 2)
        {
            minX = Math.Min(minX, xy[i]);
            maxX = Math.Max(maxX, xy[i]);
            minY = Math.Min(minY, xy[i + 1]);
            maxY = Math.Max(maxY, xy[i + 1]);
        }

        return new BoundingBox(minX, minY, maxX - minX, maxY - minY);
    }
}
