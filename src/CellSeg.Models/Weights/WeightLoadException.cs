namespace CellSeg.Models.Weights;

/// <summary>
/// A strict load found tensors that do not fit: the message names the file and every missing, unexpected and
/// mismatched tensor, so a user can fix the name map without a stack trace. Nothing was copied into the module.
/// </summary>
public sealed class WeightLoadException : Exception
{
    /// <summary>Creates the error from the report of the attempted load.</summary>
    public WeightLoadException(WeightLoadReport report)
        : base($"{report?.FilePath}: weights do not fit the network: {report?.Describe()}")
    {
        Report = report!;
    }

    /// <summary>The file.</summary>
    public string FilePath => Report.FilePath;

    /// <summary>Every tensor and what was wrong with it.</summary>
    public WeightLoadReport Report { get; }
}
