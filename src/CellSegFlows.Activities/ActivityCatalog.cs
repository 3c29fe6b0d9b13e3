using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities;

/// <summary>The registry of every CellSegFlows activity (what the CLI, workers and server run).</summary>
public static class ActivityCatalog
{
    /// <summary>A registry holding all activities of this assembly.</summary>
    public static ActivityRegistry Create() => new ActivityRegistry().AddFrom(typeof(ActivityCatalog).Assembly);
}
