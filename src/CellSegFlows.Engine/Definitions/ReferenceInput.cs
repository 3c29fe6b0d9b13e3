namespace CellSegFlows.Engine.Definitions;

/// <summary>An input taken from a parameter, an upstream node's output or the current map element.</summary>
/// <param name="Expression">Where the value comes from.</param>
public sealed record ReferenceInput(ValueExpression Expression) : InputValue;
