namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// A workflow definition that cannot be used: bad JSON, a wrong shape, or (when a caller turns
/// <see cref="WorkflowValidator"/>'s list into one) a bad DAG. Carries every problem found, not just the first.
/// </summary>
public sealed class WorkflowDefinitionException : Exception
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> (a file path or another label).</summary>
    public WorkflowDefinitionException(string sourceName, IReadOnlyList<DefinitionProblem> problems)
        : base(BuildMessage(sourceName, problems))
    {
        SourceName = sourceName;
        Problems = problems;
    }

    /// <summary>Where the definition came from: a file path or the label the caller gave.</summary>
    public string SourceName { get; }

    /// <summary>Every problem, in the order found (document order for the reader).</summary>
    public IReadOnlyList<DefinitionProblem> Problems { get; }

    private static string BuildMessage(string sourceName, IReadOnlyList<DefinitionProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 1)
        {
            return $"{sourceName}: {problems[0]}";
        }

        var lines = problems.Select(p => "  - " + p);
        return $"{sourceName}: {problems.Count} problems\n" + string.Join('\n', lines);
    }
}
