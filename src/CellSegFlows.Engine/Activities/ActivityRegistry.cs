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
    private readonly List<Type> _inputErrors = [];

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
        var descriptor = Describe(type);
        if (!_activities.TryAdd(descriptor.Type, (descriptor, type)))
        {
            throw new ArgumentException($"activity type '{descriptor.Type}' is registered twice ({_activities[descriptor.Type].Type.Name} and {type.Name})");
        }

        return this;
    }

    /// <summary>
    /// Marks exceptions of <typeparamref name="TException"/> (and types derived from it), thrown by a library an activity
    /// calls, as meaning that the user's data is wrong, like <see cref="ActivityInputException"/>: the step fails at once,
    /// without retries, with one line. For a library's "bad file" or "bad record" error, never for a fault that may pass.
    /// </summary>
    public ActivityRegistry TreatAsInputError<TException>()
        where TException : Exception
    {
        _inputErrors.Add(typeof(TException));
        return this;
    }

    /// <summary>
    /// Whether <paramref name="error"/> is a user's mistake in a step's inputs: an <see cref="ActivityInputException"/>,
    /// or an exception of a type given to <see cref="TreatAsInputError{TException}"/>, unless it is a
    /// <see cref="TransientActivityException"/>.
    /// </summary>
    public bool IsInputError(Exception error) =>
        error is ActivityInputException || (error is not TransientActivityException && _inputErrors.Any(t => t.IsInstanceOfType(error)));

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
            var activity = new JsonObject
            {
                ["activity"] = d.Type,
                ["version"] = d.Version,
                ["category"] = d.Category,
                ["description"] = d.Description,
                ["queue"] = d.Queue,
                ["cacheable"] = d.Cacheable,
                ["sharesDevice"] = d.SharesDevice,
                ["inputs"] = PortsJson(d.Inputs, withDefaults: true),
                ["outputs"] = PortsJson(d.Outputs, withDefaults: false),
            };
            if (d.Overrides is { } overrides)
            {
                activity["overrides"] = new JsonObject { ["input"] = overrides.Input, ["fields"] = new JsonArray([.. overrides.Fields.Select(f => (JsonNode)JsonValue.Create(f))]) };
            }

            array.Add(activity);
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

    /// <summary>The descriptor of an activity class, from its attribute and its input and output records.</summary>
    /// <exception cref="ArgumentException">The class is not an activity, or its ports use types a definition cannot express.</exception>
    internal static ActivityDescriptor Describe(Type type)
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
        var inputs = Ports(args[0], inputs: true);
        var overrides = attribute.OverridesInput is { } name ? Overrides(type, inputs, name) : null;
        return new ActivityDescriptor(
            attribute.Type,
            attribute.Version,
            attribute.Category,
            attribute.Description,
            inputs,
            Ports(args[1], inputs: false),
            attribute.Queue,
            attribute.Cacheable,
            overrides,
            attribute.SharesDevice);
    }

    /// <summary>
    /// The inputs an override object may set: every other input but artifacts (wired from upstream outputs, never a grid
    /// entry's literal) and <c>json</c> ones. The override port's description gets the list, so nobody repeats it by hand.
    /// </summary>
    private static InputOverride Overrides(Type type, List<PortDescriptor> inputs, string name)
    {
        var index = inputs.FindIndex(p => p.Name == name);
        if (index < 0 || inputs[index].Type != DataType.Json)
        {
            throw new ArgumentException($"{type.Name}: OverridesInput '{name}' is not a json input");
        }

        var fields = inputs
            .Where(p => p.Name != name && p.Type != DataType.Json && p.Type != DataType.Artifact && p.Type.Element != DataType.Artifact)
            .Select(p => p.Name)
            .ToList();
        var port = inputs[index];
        inputs[index] = port with { Description = $"{port.Description.TrimEnd('.', ' ')}: {string.Join(", ", fields)}." };
        return new InputOverride(name, fields);
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
