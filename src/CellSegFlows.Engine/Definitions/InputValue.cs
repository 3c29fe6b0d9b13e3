namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// What a node gives one activity input: a JSON literal (<see cref="LiteralInput"/>) or a string that
/// is exactly one reference (<see cref="ReferenceInput"/>).
/// </summary>
public abstract record InputValue;
