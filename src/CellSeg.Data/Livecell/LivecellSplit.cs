namespace CellSeg.Data.Livecell;

/// <summary>The three official LIVECell splits.</summary>
public enum LivecellSplit
{
    /// <summary>Training images (in <c>livecell_train_val_images</c>).</summary>
    Train,

    /// <summary>Validation images (also in <c>livecell_train_val_images</c>).</summary>
    Val,

    /// <summary>Test images (in <c>livecell_test_images</c>).</summary>
    Test,
}
