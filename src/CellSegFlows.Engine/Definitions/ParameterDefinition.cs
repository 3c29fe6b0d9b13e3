using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>A value a run is started with (<c>--param name=value</c> on the command line).</summary>
/// <param name="Type">Its type.</param>
/// <param name="Default">
/// The value used when the run does not give one, or null when the run must give it (a JSON
/// <c>null</c> default means the same as no default).
/// </param>
/// <param name="Description">What it is, for people; empty when not written.</param>
public sealed record ParameterDefinition(DataType Type, JsonNode? Default, string Description)
{
    /// <summary>
    /// Names the parameter had before a rename: <c>--param OLD=…</c> (a trigger's or the API's parameters too) still binds
    /// it, for one version, and <see cref="BoundParameters.Warnings"/> says so.
    /// </summary>
    public IReadOnlyList<string> FormerNames { get; init; } = [];
}
