using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities;

/// <summary>The registry of every CellSegFlows activity (what the CLI, workers and server run).</summary>
public static class ActivityCatalog
{
    /// <summary>
    /// A registry holding all activities of this assembly. The libraries' "your data is bad" exceptions (a malformed
    /// COCO file or record, a checkpoint whose tensors do not fit the network) are input errors: retrying cannot help.
    /// </summary>
    public static ActivityRegistry Create() => new ActivityRegistry()
        .AddFrom(typeof(ActivityCatalog).Assembly)
        .TreatAsInputError<CellSeg.Data.DataFormatException>()
        .TreatAsInputError<CellSeg.Models.Weights.WeightLoadException>();
}
