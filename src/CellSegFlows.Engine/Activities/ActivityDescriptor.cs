using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Activities;

/// <summary>One input or output of an activity, as the studio's forms and the validator see it.</summary>
/// <param name="Name">Name as written in definitions (camelCase).</param>
/// <param name="Type">Its type.</param>
/// <param name="Required">Inputs only: the definition must bind it (no default).</param>
/// <param name="Default">Inputs only: the value used when the definition does not bind it.</param>
/// <param name="Description">What it is, for people.</param>
/// <param name="Kind">What a string input names on the host (checked by the engine before the step runs).</param>
/// <param name="RelativeTo">The folder input a relative path of this input is relative to, if any.</param>
public sealed record PortDescriptor(string Name, DataType Type, bool Required, JsonNode? Default, string Description, PortKind Kind = PortKind.Value, string? RelativeTo = null)
{
    /// <summary>Names the port had before a rename; definitions that use them are upgraded with a warning (<see cref="Definitions.DefinitionUpgrade"/>).</summary>
    public IReadOnlyList<string> FormerNames { get; init; } = [];
}

/// <summary>An input whose object overrides other inputs of the same node (<see cref="ActivityAttribute.OverridesInput"/>).</summary>
/// <param name="Input">The overriding input's name, e.g. <c>branch</c>.</param>
/// <param name="Fields">The inputs its fields may override, in declaration order.</param>
public sealed record InputOverride(string Input, IReadOnlyList<string> Fields);

/// <summary>What the engine knows of an activity type: its name, version, ports and documentation.</summary>
/// <param name="Type">The name definitions use in a node's <c>activity</c> field.</param>
/// <param name="Version">Bumped when the activity's behaviour changes; part of the step-cache key.</param>
/// <param name="Category">Grouping in the studio's palette.</param>
/// <param name="Description">What it does, for people.</param>
/// <param name="Inputs">Inputs in declaration order.</param>
/// <param name="Outputs">Outputs in declaration order.</param>
/// <param name="Queue">Queue used when a node does not name one: <c>cpu</c> or <c>gpu</c>.</param>
/// <param name="Cacheable">False for an activity whose result depends on more than its inputs (the model registry's
/// current champion, a decision it records): its steps always run, whatever the node's <c>cache</c> says.</param>
/// <param name="Overrides">The input whose object overrides others, if the activity has one.</param>
/// <param name="SharesDevice">Whether its gpu-queue steps may share a device with other sharing steps.</param>
public sealed record ActivityDescriptor(
    string Type,
    int Version,
    string Category,
    string Description,
    IReadOnlyList<PortDescriptor> Inputs,
    IReadOnlyList<PortDescriptor> Outputs,
    string Queue,
    bool Cacheable = true,
    InputOverride? Overrides = null,
    bool SharesDevice = false);

/// <summary>The activities that exist; only these can run (a definition can never name code or commands).</summary>
public interface IActivityCatalog
{
    /// <summary>Every registered activity, by type name.</summary>
    IReadOnlyList<ActivityDescriptor> All { get; }

    /// <summary>The activity with this type name, or null.</summary>
    ActivityDescriptor? Find(string type);
}
