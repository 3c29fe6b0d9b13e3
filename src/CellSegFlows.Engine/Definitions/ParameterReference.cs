namespace CellSegFlows.Engine.Definitions;

/// <summary><c>${params.NAME}</c>: the value of a workflow parameter.</summary>
/// <param name="Name">The parameter's name.</param>
public sealed record ParameterReference(string Name) : ValueExpression
{
    /// <inheritdoc />
    public override string ToString() => "${params." + Name + "}";
}
