using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CellSeg.Data.Imaging;

namespace CellSeg.Synthesis;

/// <summary>
/// Writes one synthetic set (one density level): 8-bit TIFFs named <c>&lt;CellType&gt;_Synthetic_d&lt;level&gt;_&lt;n&gt;.tif</c>
/// and one COCO file whose annotations are the exact visible pixels of every pasted cell (compressed RLE,
/// or polygons when asked). Images are made in parallel and written as they are made; annotations
/// are spilled to disk, so memory does not grow with the number of images.
/// </summary>
public static class SyntheticGenerator
{
    /// <summary>Name of the COCO file inside the output folder.</summary>
    public const string AnnotationsFileName = "annotations.json";

    /// <summary>Name of the images folder inside the output folder.</summary>
    public const string ImagesFolderName = "images";

    /// <summary>
    /// The seed of image <paramref name="index"/> (0-based, per cell type) of <paramref name="cellType"/> at
    /// <paramref name="density"/>: the same image comes out whatever else is generated, in any order.
    /// </summary>
    public static ulong ImageSeed(long seed, int density, string cellType, int index)
    {
        ArgumentNullException.ThrowIfNull(cellType);
        long typeKey = 0;
        foreach (var c in cellType)
        {
            typeKey = typeKey * 131 + c;
        }

        return SeededRandom.Derive(seed, density, typeKey, index);
    }

    /// <summary>The file name of one generated image.</summary>
    public static string ImageFileName(string cellType, int density, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{cellType}_Synthetic_d{density}_{index + 1:D6}.tif");

    /// <summary>
    /// Generates <see cref="SynthesisOptions.ImagesPerCellType"/> images per cell type at <paramref name="density"/>
    /// cells per image (capped per type when <paramref name="calibration"/> is given) into <paramref name="outputFolder"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options, a density out of range, or a cell type the bank lacks.</exception>
    public static async Task<SyntheticSetResult> GenerateAsync(
        CellBank bank,
        int density,
        SynthesisOptions options,
        string outputFolder,
        DensityCalibration? calibration = null,
        IProgress<SynthesisProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outputFolder);
        options.Validate();
        if (density is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(density), $"density must be in 0..{ushort.MaxValue} cells per image, was {density}");
        }

        var types = options.CellTypes ?? bank.CellTypes;
        foreach (var type in types)
        {
            if (!bank.CellTypes.Contains(type, StringComparer.Ordinal))
            {
                throw new ArgumentException($"the cell bank has no {type} cells (it has {string.Join(", ", bank.CellTypes)})", nameof(options));
            }
        }

        var imagesFolder = Path.Combine(outputFolder, ImagesFolderName);
        Directory.CreateDirectory(imagesFolder);
        var jobs = new List<Job>();
        foreach (var type in types)
        {
            for (var k = 0; k < options.ImagesPerCellType; k++)
            {
                jobs.Add(new Job(jobs.Count, type, k, DensityPlan.ImageTarget(bank, type, density, calibration, options, ImageSeed(options.Seed, density, type, k))));
            }
        }

        var workers = new ConcurrentBag<Worker>();
        var parallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount;
        var batch = Math.Max(1, parallelism * 4);
        var stats = types.ToDictionary(t => t, t => new TypeCounter(DensityPlan.TargetFor(bank, t, density, calibration)), StringComparer.Ordinal);
        var files = new List<string>(jobs.Count);
        var annotationsPath = Path.Combine(outputFolder, AnnotationsFileName);
        await using (var coco = new CocoStreamWriter(annotationsPath))
        {
            var results = new JobResult[batch];
            for (var start = 0; start < jobs.Count; start += batch)
            {
                var count = Math.Min(batch, jobs.Count - start);
                await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    if (!workers.TryTake(out var worker))
                    {
                        worker = new Worker();
                    }

                    results[i] = await MakeAsync(worker, bank, jobs[start + i], density, options, imagesFolder, ct).ConfigureAwait(false);
                    workers.Add(worker);
                }).ConfigureAwait(false);

                for (var i = 0; i < count; i++)
                {
                    var r = results[i];
                    coco.AddImage(r.Job.Index + 1, r.FileName, r.Width, r.Height, r.Cells);
                    files.Add(r.FileName);
                    var counter = stats[r.Job.CellType];
                    counter.Images++;
                    counter.Requested += r.Requested;
                    counter.Placed += r.Cells.Length;
                    results[i] = default!;
                }

                progress?.Report(new SynthesisProgress(start + count, jobs.Count));
            }

            await coco.CompleteAsync(InfoJson(density, options, calibration), cancellationToken).ConfigureAwait(false);
        }

        var perType = types.Select(t => new SyntheticTypeStats(t, stats[t].Target, stats[t].Images, stats[t].Requested, stats[t].Placed)).ToList();
        return new SyntheticSetResult(density, annotationsPath, imagesFolder, files, perType);
    }

    private static async Task<JobResult> MakeAsync(Worker worker, CellBank bank, Job job, int density, SynthesisOptions options, string imagesFolder, CancellationToken ct)
    {
        var image = worker.Image = worker.Composer.Compose(bank, job.CellType, job.Target, options, ImageSeed(options.Seed, density, job.CellType, job.IndexInType), worker.Image);
        var cells = worker.Encoder.Encode(image.Labels, image.Width, image.Height, image.Placements.Count, options.Segmentation);
        var name = ImageFileName(job.CellType, density, job.IndexInType);
        var path = Path.Combine(imagesFolder, name);
        var temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            await GrayImageIO.WriteTiffAsync(new GrayImage(image.Width, image.Height, image.Pixels), stream, options.TiffCompression, ct).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: true);
        return new JobResult(job, name, image.Width, image.Height, image.Requested, cells);
    }

    private static string InfoJson(int density, SynthesisOptions options, DensityCalibration? calibration)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("description", "CellSegFlows synthetic cells: real LIVECell cells pasted on real-texture backgrounds; masks are the visible pixels");
            w.WriteNumber("density", density);
            w.WriteNumber("seed", options.Seed);
            w.WriteString("overlap", options.Overlap.ToString().ToLowerInvariant());
            w.WriteBoolean("calibrated", calibration is not null);
            w.WriteBoolean("real_density", options.RealDensity);
            w.WriteBoolean("halo", options.PasteHalo);
            if (calibration is not null)
            {
                w.WriteNumber("calibration_quantile", calibration.Quantile);
                w.WriteNumber("calibration_factor", calibration.Factor);
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed record Job(int Index, string CellType, int IndexInType, int Target);

    private sealed record JobResult(Job Job, string FileName, int Width, int Height, int Requested, EncodedInstance[] Cells);

    private sealed class Worker
    {
        public ImageComposer Composer { get; } = new();

        public InstanceEncoder Encoder { get; } = new();

        public ComposedImage? Image { get; set; }
    }

    private sealed class TypeCounter(int target)
    {
        public int Target { get; } = target;

        public int Images { get; set; }

        public long Requested { get; set; }

        public long Placed { get; set; }
    }
}
