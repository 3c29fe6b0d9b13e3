using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Server.Api.Contracts;

/// <summary>One registered activity, as the studio builds its palette and forms from it.</summary>
/// <param name="Activity">The activity's name, as definitions write it in a node's <c>activity</c> field.</param>
/// <param name="Version">Bumped when the activity's behaviour changes; part of the step-cache key.</param>
/// <param name="Category">Grouping in the studio's palette.</param>
/// <param name="Description">What it does.</param>
/// <param name="Queue">Queue used when a node does not name one.</param>
/// <param name="Cacheable">False when its steps always run, whatever the node's <c>cache</c> says.</param>
/// <param name="SharesDevice">True when its gpu-queue steps may run beside other sharing steps on one device; false: a step holds its device alone.</param>
/// <param name="Inputs">Inputs in declaration order.</param>
/// <param name="Outputs">Outputs in declaration order.</param>
/// <param name="Overrides">The input whose object's fields override the others (a training grid's branch), and those fields; absent when none.</param>
public sealed record ActivityDto(string Activity, int Version, string Category, string Description, string Queue, bool Cacheable, bool SharesDevice,
    IReadOnlyList<InputPortDto> Inputs, IReadOnlyList<OutputPortDto> Outputs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InputOverrideDto? Overrides = null);

/// <summary>An input whose object's fields override the activity's other inputs.</summary>
/// <param name="Input">The input (e.g. <c>branch</c>).</param>
/// <param name="Fields">The inputs its fields may set.</param>
public sealed record InputOverrideDto(string Input, IReadOnlyList<string> Fields);

/// <summary>An input of an activity.</summary>
public sealed record InputPortDto
{
    /// <summary>Name as written in definitions.</summary>
    public required string Name { get; init; }

    /// <summary>Its data type's name.</summary>
    public required string Type { get; init; }

    /// <summary>What it is.</summary>
    public required string Description { get; init; }

    /// <summary>What a string input names on the host (fileToRead, folderToRead, folderToWrite, source); absent for a plain value.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    /// <summary>Names it had before a rename (still accepted in definitions, with a warning); absent when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? FormerNames { get; init; }

    /// <summary>The definition must bind it (it has no default).</summary>
    public required bool Required { get; init; }

    /// <summary>The value used when the definition does not bind it (null: none).</summary>
    public required JsonNode? Default { get; init; }
}

/// <summary>An output of an activity.</summary>
public sealed record OutputPortDto
{
    /// <summary>Name as written in references (<c>${nodes.ID.NAME}</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Its data type's name.</summary>
    public required string Type { get; init; }

    /// <summary>What it is.</summary>
    public required string Description { get; init; }

    /// <summary>What it names on the host, if anything; absent for a plain value.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    /// <summary>Names it had before a rename (<c>${nodes.ID.OLD}</c> still accepted, with a warning); absent when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? FormerNames { get; init; }
}

/// <summary>Activity descriptors to the API's records.</summary>
internal static class ActivityMapping
{
    public static ActivityDto ToDto(this ActivityDescriptor d) =>
        new(d.Type, d.Version, d.Category, d.Description, d.Queue, d.Cacheable, d.SharesDevice,
            [.. d.Inputs.Select(p => new InputPortDto { Name = p.Name, Type = p.Type.Name, Description = p.Description, Kind = KindOf(p), FormerNames = Former(p), Required = p.Required, Default = p.Default?.DeepClone() })],
            [.. d.Outputs.Select(p => new OutputPortDto { Name = p.Name, Type = p.Type.Name, Description = p.Description, Kind = KindOf(p), FormerNames = Former(p) })],
            d.Overrides is { } o ? new InputOverrideDto(o.Input, o.Fields) : null);

    private static IReadOnlyList<string>? Former(PortDescriptor p) => p.FormerNames.Count > 0 ? p.FormerNames : null;

    private static string? KindOf(PortDescriptor p) => p.Kind == PortKind.Value ? null : JsonNamingPolicy.CamelCase.ConvertName(p.Kind.ToString());
}
