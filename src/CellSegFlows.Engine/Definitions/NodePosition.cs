namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Where the studio's designer draws a node: the top-left corner of its box, in canvas units. Part of a
/// definition's layout, which the engine reads, checks for shape and writes back, but never acts on.
/// </summary>
/// <param name="X">Distance from the canvas origin to the right.</param>
/// <param name="Y">Distance from the canvas origin downwards.</param>
public readonly record struct NodePosition(double X, double Y)
{
    /// <summary>The largest coordinate accepted, either sign (a bound on what a definition may hold).</summary>
    public const double MaxCoordinate = 1_000_000;

    /// <summary>The most positions one layout may hold.</summary>
    public const int MaxCount = 10_000;
}
