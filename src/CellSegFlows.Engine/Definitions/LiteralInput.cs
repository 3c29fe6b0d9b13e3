using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Definitions;

/// <summary>An input given as a JSON value written in the definition.</summary>
/// <param name="Value">The value; null is JSON <c>null</c>. Strings hold their text after <c>$${</c> escapes
/// are turned into <c>${</c>.</param>
public sealed record LiteralInput(JsonNode? Value) : InputValue;
