namespace CellSegFlows.Engine.Definitions;

/// <summary>A cycle among nodes, in data-flow order, closed by one reference.</summary>
/// <param name="NodeIds">The nodes, first one repeated at the end: <c>a, b, c, a</c> (a feeds b, b feeds c, c feeds a).</param>
/// <param name="NodeIndex">Index of the first node (the earliest in definition order), whose reference closes the cycle.</param>
/// <param name="Field">The path of that reference, e.g. <c>nodes[0].inputs.x</c>.</param>
internal sealed record DependencyCycle(IReadOnlyList<string> NodeIds, int NodeIndex, string Field)
{
    public string Message => "cycle: " + string.Join(" → ", NodeIds);
}
