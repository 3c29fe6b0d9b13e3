using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Definitions;

/// <summary>A run's parameter values after <see cref="WorkflowValidator.Bind"/>.</summary>
/// <param name="Values">
/// Every parameter that has a value (given or default), in the definition's order; a JSON <c>null</c> value
/// (possible for <c>json</c> parameters) is a null entry.
/// </param>
/// <param name="Problems">Unknown names, values that do not parse and missing values; empty when the run can start.</param>
public sealed record BoundParameters(IReadOnlyDictionary<string, JsonNode?> Values, IReadOnlyList<DefinitionProblem> Problems)
{
    /// <summary>Parameters given under a former name (bound to the current one), one deprecation warning each.</summary>
    public IReadOnlyList<DefinitionProblem> Warnings { get; init; } = [];

    /// <summary>True when there are no problems.</summary>
    public bool IsValid => Problems.Count == 0;
}
