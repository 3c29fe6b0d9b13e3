using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// A list written out in the definition, as a mapped node's <c>map.over</c> (<c>"over": [16, 32]</c>): no parameter or
/// upstream node needed to fan out over a few fixed values. Its type is <c>list&lt;T&gt;</c> of its elements' kind.
/// </summary>
/// <param name="Items">The elements (literal JSON, unescaped).</param>
public sealed record LiteralList(JsonArray Items) : ValueExpression
{
    /// <summary>int, number, string or bool when every element is one, else json.</summary>
    public DataType Type
    {
        get
        {
            var kinds = Items.Select(i => i?.GetValueKind()).Distinct().ToArray();
            if (kinds is [JsonValueKind.String])
            {
                return DataType.ListOf(DataType.String);
            }

            if (kinds.Length > 0 && kinds.All(k => k is JsonValueKind.True or JsonValueKind.False))
            {
                return DataType.ListOf(DataType.Boolean);
            }

            if (kinds is [JsonValueKind.Number])
            {
                return DataType.ListOf(Items.All(i => i!.AsValue().TryGetValue<long>(out _)) ? DataType.Integer : DataType.Number);
            }

            return DataType.ListOf(DataType.Json);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Items.ToJsonString();
}
