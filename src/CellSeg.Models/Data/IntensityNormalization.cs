namespace CellSeg.Models.Data;

/// <summary>Pixel normalisation a model is trained and run with: (value − Mean) / Std.</summary>
/// <param name="Mean">Subtracted from every pixel value (raw 8- or 16-bit units).</param>
/// <param name="Std">Divides the difference.</param>
public sealed record IntensityNormalization(double Mean, double Std)
{
    /// <summary>LIVECell's values (the authors' detectron2 configs): subtract 128, divide by 11.578.</summary>
    public static IntensityNormalization Livecell { get; } = new(128, 11.578);
}
