namespace CellSeg.Data.Coco;

/// <summary>A record that lenient reading skipped, and why.</summary>
/// <param name="Record">Which record, e.g. "annotation 117084" or "images[3]".</param>
/// <param name="Reason">What was wrong with it.</param>
public sealed record ReadIssue(string Record, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Record}: {Reason}";
}
