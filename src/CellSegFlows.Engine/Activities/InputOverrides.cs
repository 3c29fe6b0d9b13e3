using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Activities;

/// <summary>
/// Merges an override object (<see cref="ActivityAttribute.OverridesInput"/>, e.g. a training grid's <c>branch</c>)
/// into a step's other inputs, so an activity binds one flat record and never reads the object itself.
/// </summary>
public static class InputOverrides
{
    private static readonly ConcurrentDictionary<Type, ActivityDescriptor?> Described = new();

    /// <summary>
    /// The inputs with the override object's fields in place of the inputs they name, and without the object; the inputs
    /// as they are when the activity has no override input or it is not given. A field whose value is null sets nothing.
    /// </summary>
    /// <exception cref="ActivityInputException">
    /// The object is not an object, names a field that is not an overridable input (the message lists the allowed
    /// ones), or gives a value of the wrong type.
    /// </exception>
    public static JsonObject Apply(ActivityDescriptor activity, JsonObject inputs)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(inputs);
        if (activity.Overrides is not { } overrides || !inputs.TryGetPropertyValue(overrides.Input, out var value))
        {
            return inputs;
        }

        var name = overrides.Input;
        var merged = (JsonObject)inputs.DeepClone();
        merged.Remove(name);
        if (value is null)
        {
            return merged;
        }

        if (value is not JsonObject fields)
        {
            throw new ActivityInputException(name, $"{name} should be an object whose fields override other inputs, not {JsonKinds.Describe(value)}");
        }

        foreach (var (written, field) in fields)
        {
            var port = OverriddenPort(activity, written) ?? throw new ActivityInputException(name, NotOverridable(activity, written));
            if (field is null)
            {
                continue;
            }

            if (JsonKinds.Mismatch(field, port.Type) is { } wrong)
            {
                throw new ActivityInputException(name, $"{name} field '{port.Name}' is not of type {port.Type}: {wrong}");
            }

            merged[port.Name] = field.DeepClone();
        }

        return merged;
    }

    /// <summary>
    /// The input a field of the activity's override object sets, or null when the field names no overridable input. A field
    /// under a port's former name (a renamed input) still overrides it, for one version. Shared by <see cref="Apply(ActivityDescriptor, JsonObject)"/>
    /// and the validator's save-time check, so both accept the same fields.
    /// </summary>
    public static PortDescriptor? OverriddenPort(ActivityDescriptor activity, string field)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var key = Key(activity, field);
        return activity.Overrides is { } o && o.Fields.Contains(key, StringComparer.Ordinal) ? activity.Inputs.First(p => p.Name == key) : null;
    }

    /// <summary>The one-line refusal of a field <see cref="OverriddenPort"/> does not accept, listing the allowed ones.</summary>
    public static string NotOverridable(ActivityDescriptor activity, string field)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var overrides = activity.Overrides ?? throw new ArgumentException($"activity '{activity.Type}' has no override input", nameof(activity));
        return $"{overrides.Input} field '{Key(activity, field)}' is not one of {string.Join(", ", overrides.Fields.Order(StringComparer.Ordinal))}";
    }

    private static string Key(ActivityDescriptor activity, string field) =>
        activity.Inputs.FirstOrDefault(p => p.FormerNames.Contains(field, StringComparer.Ordinal))?.Name ?? field;

    /// <summary>
    /// <see cref="Apply(ActivityDescriptor, JsonObject)"/> for an activity class, for inputs that did not come through
    /// the engine (an activity run by hand); the inputs as they are for a class without an override input.
    /// </summary>
    /// <exception cref="ActivityInputException">As for <see cref="Apply(ActivityDescriptor, JsonObject)"/>.</exception>
    public static JsonObject Apply(Type activity, JsonObject inputs)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var descriptor = Described.GetOrAdd(activity, static t => t.GetCustomAttribute<ActivityAttribute>() is null ? null : ActivityRegistry.Describe(t));
        return descriptor is null ? inputs : Apply(descriptor, RenameFormer(descriptor, inputs));
    }

    /// <summary>
    /// Inputs given under a port's former name (<see cref="PortAttribute.FormerNames"/>) moved to the current one, for inputs
    /// that did not come from a definition (which <see cref="Definitions.DefinitionUpgrade"/> already upgraded): without
    /// this, the binder would ignore the old name and the input would silently take its default.
    /// </summary>
    public static JsonObject RenameFormer(ActivityDescriptor activity, JsonObject inputs)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(inputs);
        JsonObject? renamed = null;
        foreach (var port in activity.Inputs.Where(p => p.FormerNames.Count > 0))
        {
            foreach (var former in port.FormerNames.Where(inputs.ContainsKey))
            {
                renamed ??= (JsonObject)inputs.DeepClone();
                var value = renamed[former];
                renamed.Remove(former);
                if (!renamed.ContainsKey(port.Name))
                {
                    renamed[port.Name] = value?.DeepClone();
                }
            }
        }

        return renamed ?? inputs;
    }
}
