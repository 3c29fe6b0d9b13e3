namespace CellSeg.Data.Coco;

/// <summary>
/// Receives the records of a COCO file one by one as <see cref="CocoReader"/> streams it, so a caller
/// can process a file far larger than memory (e.g. rasterise each annotation and keep only its RLE).
/// Records arrive in file order; each has passed the checks a record can pass on its own.
/// </summary>
public interface ICocoRecordSink
{
    /// <summary>The raw JSON of a top-level field this reader does not model (<c>info</c>, <c>licenses</c>, …).</summary>
    void OnOtherField(string name, string rawJson);

    /// <summary>One image.</summary>
    void OnImage(CocoImage image);

    /// <summary>One category.</summary>
    void OnCategory(CocoCategory category);

    /// <summary>One annotation.</summary>
    void OnAnnotation(CocoAnnotation annotation);
}
