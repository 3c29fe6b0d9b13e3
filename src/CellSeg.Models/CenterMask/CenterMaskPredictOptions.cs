namespace CellSeg.Models.CenterMask;

/// <summary>
/// What <see cref="CenterMaskPredictor"/> runs: a model file over images named by a COCO file (its image ids and
/// sizes are used) or by file names (ids 1, 2, … in the given order), with optional inference settings that
/// replace the model's.
/// </summary>
public sealed record CenterMaskPredictOptions
{
    /// <summary>The CenterMask model file (<see cref="CenterMaskModelFile"/>).</summary>
    public required string ModelPath { get; init; }

    /// <summary>Folder of the images (flat, or LIVECell's per-cell-type sub-folders).</summary>
    public required string ImagesFolder { get; init; }

    /// <summary>A COCO file naming the images (ids, file names, sizes); annotations in it are not used.</summary>
    public string? Annotations { get; init; }

    /// <summary>Image file names inside <see cref="ImagesFolder"/>, used when <see cref="Annotations"/> is null.</summary>
    public IReadOnlyList<string>? FileNames { get; init; }

    /// <summary>Where the COCO results file is written (atomically).</summary>
    public required string OutputPath { get; init; }

    /// <summary>Minimum sigmoid class score of a candidate (null: the model's FCOS INFERENCE_TH_TEST).</summary>
    public float? ScoreThreshold { get; init; }

    /// <summary>Candidates per pyramid level before NMS (null: the model's; LIVECell's config keeps 4,000).</summary>
    public int? PreNmsTopK { get; init; }

    /// <summary>Detections per image after NMS (null: the model's; LIVECell's config keeps 3,000).</summary>
    public int? PostNmsTopK { get; init; }

    /// <summary>Short side the images are resized to (null: the model's MIN_SIZE_TEST; 0 keeps the size).</summary>
    public int? TestSize { get; init; }

    /// <summary>Cap on the long side after resizing (null: the model's MAX_SIZE_TEST).</summary>
    public int? MaxTestSize { get; init; }

    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string? Device { get; init; } = "cpu";

    /// <summary>Torch CPU threads (null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>The model's config with these inference settings applied.</summary>
    public CenterMaskConfig Adjust(CenterMaskConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config with
        {
            ScoreThreshold = ScoreThreshold ?? config.ScoreThreshold,
            PreNmsTopK = PreNmsTopK ?? config.PreNmsTopK,
            PostNmsTopK = PostNmsTopK ?? config.PostNmsTopK,
            Input = config.Input with
            {
                MinSizeTest = TestSize ?? config.Input.MinSizeTest,
                MaxSizeTest = MaxTestSize ?? config.Input.MaxSizeTest,
            },
        };
    }
}

/// <summary>Progress of a prediction run: images done of the total.</summary>
/// <param name="Done">Images predicted.</param>
/// <param name="Total">Images to predict.</param>
/// <param name="FileName">The image just done.</param>
/// <param name="Detections">Cells found in it.</param>
public sealed record CenterMaskPredictProgress(int Done, int Total, string FileName, int Detections);

/// <summary>The outcome of a prediction run.</summary>
/// <param name="OutputPath">The COCO results file.</param>
/// <param name="Images">Images predicted.</param>
/// <param name="Detections">Results written.</param>
public sealed record CenterMaskPredictResult(string OutputPath, int Images, int Detections);
