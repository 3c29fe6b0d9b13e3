namespace CellSegFlows.Engine.Definitions;

/// <summary>One thing wrong with a workflow definition, placed so the author can find it.</summary>
/// <param name="NodeId">The node it concerns, or null for the workflow, its parameters and outputs.</param>
/// <param name="Field">Where in the definition, as a JSON path: <c>nodes[2].inputs.seed</c>,
/// <c>parameters.threshold.default</c>, <c>outputs.masks</c>; <c>$</c> for the whole document.</param>
/// <param name="Message">What is wrong, in words.</param>
/// <param name="Line">1-based line for JSON syntax errors, else null.</param>
/// <param name="Column">1-based column (in UTF-8 bytes) for JSON syntax errors, else null.</param>
public sealed record DefinitionProblem(string? NodeId, string Field, string Message, int? Line = null, int? Column = null)
{
    /// <summary>One line: <c>nodes[2].inputs.seed (node 'seg'): message</c>, or with line and column.</summary>
    public override string ToString()
    {
        var where = Line is null ? Field : $"{Field} (line {Line}, column {Column})";
        return NodeId is null ? $"{where}: {Message}" : $"{where} (node '{NodeId}'): {Message}";
    }
}
