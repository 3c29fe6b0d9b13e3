using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Activities;

/// <summary>
/// The registered activities, found by reflection over <see cref="ActivityAttribute"/> classes.
/// Ports come from the input and output records: property names in camelCase, C# types mapped to
/// <see cref="DataType"/>, defaults from the record constructor, docs from <see cref="PortAttribute"/>.
/// </summary>
public sealed class ActivityRegistry : IActivityCatalog
{
    private readonly Dictionary<string, (ActivityDescriptor Descriptor, Type Type)> _activities = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IReadOnlyList<ActivityDescriptor> All => _activities.Values.Select(a => a.Descriptor).OrderBy(d => d.Category, StringComparer.Ordinal).ThenBy(d => d.Type, StringComparer.Ordinal).ToArray();

    /// <summary>Registers every activity class of the assemblies.</summary>
    public ActivityRegistry AddFrom(params Assembly[] assemblies)
    {
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetCustomAttribute<ActivityAttribute>() is not null && !type.IsAbstract)
            {
                Add(type);
            }
        }

        return this;
    }

    /// <summary>Registers one activity class.</summary>
    /// <exception cref="ArgumentException">The class is not an activity, or its ports use types a definition cannot express.</exception>
    public ActivityRegistry Add(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var attribute = type.GetCustomAttribute<ActivityAttribute>() ?? throw new ArgumentException($"{type.Name} has no [Activity] attribute");
        var generic = FindActivityBase(type) ?? throw new ArgumentException($"{type.Name} does not derive from Activity<TInput, TOutput>");
        if (type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"{type.Name} needs a public parameterless constructor");
        }

        if (!QueueNames.IsKnown(attribute.Queue))
        {
            throw new ArgumentException($"{type.Name}: queue must be cpu or gpu, not '{attribute.Queue}'");
        }

        var args = generic.GetGenericArguments();
        var descriptor = new ActivityDescriptor(
            attribute.Type,
            attribute.Version,
            attribute.Category,
            attribute.Description,
            Ports(args[0], inputs: true),
            Ports(args[1], inputs: false),
            attribute.Queue,
            attribute.Cacheable);
        if (!_activities.TryAdd(attribute.Type, (descriptor, type)))
        {
            throw new ArgumentException($"activity type '{attribute.Type}' is registered twice ({_activities[attribute.Type].Type.Name} and {type.Name})");
        }

        return this;
    }

    /// <inheritdoc />
    public ActivityDescriptor? Find(string type) => _activities.TryGetValue(type, out var a) ? a.Descriptor : null;

    /// <summary>A new instance of the activity (activities are created per step, never shared).</summary>
    public IActivity Create(string type) =>
        _activities.TryGetValue(type, out var a)
            ? (IActivity)Activator.CreateInstance(a.Type)!
            : throw new KeyNotFoundException($"no activity '{type}' is registered");

    /// <summary>The catalog as JSON, for the studio's forms.</summary>
    public JsonArray ToJson()
    {
        var array = new JsonArray();
        foreach (var d in All)
        {
            array.Add(new JsonObject
            {
                ["type"] = d.Type,
                ["version"] = d.Version,
                ["category"] = d.Category,
                ["description"] = d.Description,
                ["queue"] = d.DefaultQueue,
                ["cacheable"] = d.Cacheable,
                ["inputs"] = PortsJson(d.Inputs, withDefaults: true),
                ["outputs"] = PortsJson(d.Outputs, withDefaults: false),
            });
        }

        return array;
    }

    private static JsonArray PortsJson(IReadOnlyList<PortDescriptor> ports, bool withDefaults)
    {
        var array = new JsonArray();
        foreach (var p in ports)
        {
            var o = new JsonObject { ["name"] = p.Name, ["type"] = p.Type.Name, ["description"] = p.Description };
            if (p.Kind != PortKind.Value)
            {
                o["kind"] = JsonNamingPolicy.CamelCase.ConvertName(p.Kind.ToString());
            }

            if (p.FormerNames.Count > 0)
            {
                o["formerNames"] = new JsonArray([.. p.FormerNames.Select(n => (JsonNode)n)]);
            }

            if (withDefaults)
            {
                o["required"] = p.Required;
                o["default"] = p.Default?.DeepClone();
            }

            array.Add(o);
        }

        return array;
    }

    private static Type? FindActivityBase(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Activity<,>))
            {
                return t;
            }
        }

        return null;
    }

    private static List<PortDescriptor> Ports(Type record, bool inputs)
    {
        var ctor = record.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var parameters = ctor?.GetParameters().ToDictionary(p => p.Name!, StringComparer.OrdinalIgnoreCase) ?? [];
        var nullability = new NullabilityInfoContext();
        var ports = new List<PortDescriptor>();
        foreach (var property in record.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract")
            {
                continue;
            }

            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var type = MapType(property.PropertyType) ?? throw new ArgumentException($"{record.Name}.{property.Name}: type {property.PropertyType.Name} has no workflow type");
            parameters.TryGetValue(property.Name, out var parameter);
            var port = property.GetCustomAttribute<PortAttribute>() ?? parameter?.GetCustomAttribute<PortAttribute>();
            var doc = port?.Description ?? string.Empty;
            var kind = port?.Kind ?? PortKind.Value;
            if (kind != PortKind.Value && (!inputs || type != DataType.String))
            {
                throw new ArgumentException($"{record.Name}.{property.Name}: only string inputs can name host paths or sources");
            }
            JsonNode? defaultValue = null;
            var required = false;
            if (inputs)
            {
                if (parameter is { HasDefaultValue: true })
                {
                    defaultValue = parameter.DefaultValue is null ? null : JsonSerializer.SerializeToNode(parameter.DefaultValue, ActivityJson.Options);
                }
                else
                {
                    required = nullability.Create(property).ReadState != NullabilityState.Nullable;
                }
            }

            ports.Add(new PortDescriptor(name, type, required, defaultValue, doc, kind, port?.RelativeTo is { } relative ? JsonNamingPolicy.CamelCase.ConvertName(relative) : null)
            {
                FormerNames = port?.FormerNames ?? [],
            });
        }

        foreach (var port in ports.Where(p => p.RelativeTo is not null))
        {
            if (!ports.Any(p => p.Name == port.RelativeTo && p.Kind is PortKind.FolderToRead or PortKind.FolderToWrite))
            {
                throw new ArgumentException($"{record.Name}.{port.Name}: relative to '{port.RelativeTo}', which is not a folder input");
            }
        }

        return ports;
    }

    private static DataType? MapType(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(string))
        {
            return DataType.String;
        }

        if (t == typeof(int) || t == typeof(long))
        {
            return DataType.Integer;
        }

        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal))
        {
            return DataType.Number;
        }

        if (t == typeof(bool))
        {
            return DataType.Boolean;
        }

        if (t == typeof(ArtifactRef))
        {
            return DataType.Artifact;
        }

        if (t == typeof(JsonNode) || t == typeof(JsonElement) || t == typeof(JsonObject))
        {
            return DataType.Json;
        }

        var element = t.IsArray ? t.GetElementType() : t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t) ? t.GetGenericArguments()[0] : null;
        if (element is not null && MapType(element) is { IsList: false } e)
        {
            return DataType.ListOf(e);
        }

        return null;
    }
}
