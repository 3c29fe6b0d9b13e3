using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Tests.Definitions;

/// <summary>Shortcuts for reading and validating definitions written as JSON in the tests.</summary>
internal static class Defs
{
    public static WorkflowDefinition Parse(string json) => WorkflowDefinitionReader.Parse(json, "test.json");

    public static IReadOnlyList<DefinitionProblem> Validate(string json) =>
        WorkflowValidator.Validate(Parse(json), FakeCatalog.Instance);

    /// <summary>The problems of a definition the reader refuses.</summary>
    public static IReadOnlyList<DefinitionProblem> ReadProblems(string json) =>
        Assert.Throws<WorkflowDefinitionException>(() => Parse(json)).Problems;

    /// <summary>The one problem at <paramref name="field"/>, checked for node and a piece of its message.</summary>
    public static DefinitionProblem Single(IReadOnlyList<DefinitionProblem> problems, string? nodeId, string field, string messagePart)
    {
        var at = problems.Where(p => p.Field == field).ToList();
        Assert.True(at.Count == 1, $"expected one problem at {field}, found {at.Count} in:\n{string.Join('\n', problems)}");
        Assert.Equal(nodeId, at[0].NodeId);
        Assert.Contains(messagePart, at[0].Message, StringComparison.Ordinal);
        return at[0];
    }
}
