using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Checks a definition against the activity catalog and lists every problem at once, each naming its node
/// and field: unknown activities and inputs, missing required inputs, type mismatches, bad references,
/// cycles, nodes that feed no output, parameter defaults of the wrong type and maps over non-lists. Also
/// binds command-line parameter values (<see cref="Bind"/>).
/// </summary>
/// <remarks>
/// Types flow as follows: a literal must be a JSON value of the input's type (<see cref="DataType"/> rules:
/// <c>int</c> is a whole number, <c>artifact</c> is a <c>model://</c> reference, <c>json</c> is anything); <c>${params.P}</c> has
/// P's type; <c>${nodes.N.O}</c> has output O's type, or <c>list&lt;T&gt;</c> when N is mapped (its results
/// joined in element order); <c>${item}</c> has the element type of the node's <c>map.over</c> list. A value
/// fits an input when <see cref="DataType.Accepts"/> says so (same type, int into number, anything into json).
/// </remarks>
public static class WorkflowValidator
{
    /// <summary>Every problem in <paramref name="definition"/>; empty when it can run.</summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="catalog">The activities that exist.</param>
    /// <param name="limits">Size limits (default: <see cref="WorkflowLimits.Default"/>); a definition over them is checked no further.</param>
    public static IReadOnlyList<DefinitionProblem> Validate(WorkflowDefinition definition, IActivityCatalog catalog, WorkflowLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(catalog);
        limits ??= WorkflowLimits.Default;
        if (definition.Nodes.Count > limits.MaxNodes)
        {
            return [new DefinitionProblem(null, "nodes", $"the definition has {definition.Nodes.Count:N0} nodes; the limit is {limits.MaxNodes:N0}")];
        }

        var problems = new List<DefinitionProblem>();
        var graph = DependencyGraph.Build(definition);
        var activities = definition.Nodes.Select(n => catalog.Find(n.Activity)).ToList();
        var context = new ValidationContext(definition, graph, activities, problems);

        CheckWorkflowFields(definition, problems);
        CheckParameters(definition, problems);
        for (var i = 0; i < definition.Nodes.Count; i++)
        {
            CheckNode(context, i);
        }

        CheckOutputs(context);
        foreach (var cycle in graph.FindCycles())
        {
            problems.Add(new DefinitionProblem(definition.Nodes[cycle.NodeIndex].Id, cycle.Field, cycle.Message));
        }

        CheckReachability(context);
        return problems;
    }

    /// <summary>
    /// Turns <c>--param name=value</c> texts into typed values and fills defaults. <c>int</c>, <c>number</c>
    /// and <c>bool</c> (<c>true</c>/<c>false</c>) are parsed with the invariant culture; <c>string</c> and
    /// <c>artifact</c> are taken as they are; <c>json</c> is parsed as JSON, or taken as a string when it is not
    /// JSON; <c>list&lt;T&gt;</c> is a JSON array (<c>[1, 2]</c>) or comma-separated values (<c>1,2</c>, each
    /// trimmed; an empty text is an empty list). Unknown names, values that do not parse and parameters with no
    /// default that are not given are problems. Defaults are not re-checked here: <see cref="Validate"/> does that.
    /// </summary>
    /// <param name="definition">The workflow.</param>
    /// <param name="cliParams">Values as text, by parameter name (case-sensitive).</param>
    public static BoundParameters Bind(WorkflowDefinition definition, IReadOnlyDictionary<string, string> cliParams) =>
        ParameterBinder.Bind(definition, cliParams);

    private static void CheckWorkflowFields(WorkflowDefinition definition, List<DefinitionProblem> problems)
    {
        // What the reader already enforces, checked again for definitions built in code.
        void Add(string? nodeId, string field, string? message)
        {
            if (message is not null)
            {
                problems.Add(new DefinitionProblem(nodeId, field, message));
            }
        }

        Add(null, "id", DefinitionRules.Name(definition.Id, "workflow id"));
        Add(null, "version", DefinitionRules.Version(definition.Version));
        foreach (var name in definition.Parameters.Keys)
        {
            Add(null, JsonScope.Join("parameters", name), DefinitionRules.Name(name, "parameter name"));
        }

        var ids = definition.Nodes.Select(n => (string?)n.Id).ToList();
        foreach (var (index, message) in DefinitionRules.DuplicateIds(ids))
        {
            Add(ids[index], $"nodes[{index}].id", message);
        }

        for (var i = 0; i < definition.Nodes.Count; i++)
        {
            var node = definition.Nodes[i];
            var path = $"nodes[{i}]";
            Add(node.Id, path + ".id", DefinitionRules.Name(node.Id, "node id"));
            Add(node.Id, path + ".queue", DefinitionRules.Queue(node.Queue));
            if (node.Timeout is { } timeout)
            {
                Add(node.Id, path + ".timeout", DefinitionRules.Timeout(timeout));
            }

            if (node.Map is not null)
            {
                Add(node.Id, path + ".map.as", DefinitionRules.MapAs(node.Map.As));
            }

            if (node.Retry is { } retry)
            {
                Add(node.Id, path + ".retry.attempts", DefinitionRules.Attempts(retry.Attempts));
                Add(node.Id, path + ".retry.delay", DefinitionRules.Delay(retry.Delay));
                if (retry.MaxDelay is { } max)
                {
                    Add(node.Id, path + ".retry.maxDelay", DefinitionRules.MaxDelay(retry.Backoff, retry.Delay, max));
                }
            }
        }

        foreach (var name in definition.Outputs.Keys)
        {
            Add(null, JsonScope.Join("outputs", name), DefinitionRules.Name(name, "output name"));
        }
    }

    private static void CheckParameters(WorkflowDefinition definition, List<DefinitionProblem> problems)
    {
        foreach (var (name, parameter) in definition.Parameters)
        {
            if (parameter.Default is not null && JsonKinds.Mismatch(parameter.Default, parameter.Type) is { } mismatch)
            {
                problems.Add(new DefinitionProblem(
                    null,
                    JsonScope.Join("parameters", name) + ".default",
                    $"bad parameter value: parameter '{name}' is {parameter.Type}, but {AboutDefault(mismatch)}"));
            }
        }
    }

    private static void CheckNode(ValidationContext context, int index)
    {
        var node = context.Definition.Nodes[index];
        var path = $"nodes[{index}]";
        var activity = context.Activities[index];
        if (activity is null)
        {
            context.Add(node.Id, path + ".activity", $"unknown activity '{node.Activity}'");
        }

        // The element type of the mapped list, when it is known, for ${item}.
        DataType? itemType = null;
        if (node.Map is not null)
        {
            var overType = context.Resolve(node.Map.Over, index, path + ".map.over", inInputs: false);
            if (overType is { IsList: false })
            {
                context.Add(node.Id, path + ".map.over", $"map.over must be a list, but {node.Map.Over} is {overType}");
            }

            itemType = overType?.Element;
        }

        foreach (var (name, value) in node.Inputs)
        {
            var field = JsonScope.Join(path + ".inputs", name);
            var port = activity?.Inputs.FirstOrDefault(p => p.Name == name);
            if (activity is not null && port is null)
            {
                context.Add(node.Id, field, $"unknown input '{name}': activity '{activity.Type}' has {ValidationContext.PortList("inputs", activity.Inputs)}");
            }

            switch (value)
            {
                case LiteralInput literal when port is not null:
                    if (JsonKinds.Mismatch(literal.Value, port.Type) is { } mismatch)
                    {
                        context.Add(node.Id, field, $"type mismatch: input '{name}' is {port.Type}, but {mismatch}");
                    }
                    else if (activity!.Overrides?.Input == name && literal.Value is JsonObject fields)
                    {
                        CheckOverrideFields(context, node.Id, field, activity, fields, _ => false);
                    }

                    break;
                case TemplateInput template:
                    CheckTemplate(context, node.Id, index, field, name, template, port?.Type, itemType);
                    if (activity?.Overrides?.Input == name && template.Template is JsonObject withReferences)
                    {
                        // Fields given as references are known only when the step runs; the literal ones are checked now.
                        CheckOverrideFields(context, node.Id, field, activity, withReferences, f => template.References.Any(r => r.Path.Count > 0 && r.Path[0] is string at && at == f));
                    }

                    break;
                case ReferenceInput reference:
                    var type = context.Resolve(reference.Expression, index, field, inInputs: true, itemType);
                    if (port is not null && type is not null && !port.Type.Accepts(type))
                    {
                        context.Add(node.Id, field, $"type mismatch: input '{name}' is {port.Type}, but {reference.Expression} is {type}{MappedHint(context, reference.Expression, port.Type)}");
                    }
                    else if (activity?.Overrides?.Input == name && reference.Expression is ItemReference && node.Map?.Over is ParameterReference grid
                             && context.Definition.Parameters.GetValueOrDefault(grid.Name)?.Default is JsonArray elements)
                    {
                        // A node mapped over a parameter's list with the item as its override object (a training grid): the
                        // default list's entries are checked now; a list given at run time is checked by each step.
                        for (var e = 0; e < elements.Count; e++)
                        {
                            if (elements[e] is JsonObject entry)
                            {
                                CheckOverrideFields(context, node.Id, $"parameters.{grid.Name}.default[{e}]", activity, entry, _ => false);
                            }
                        }
                    }

                    break;
            }
        }

        if (activity is not null)
        {
            foreach (var port in activity.Inputs.Where(p => p.Required && !node.Inputs.ContainsKey(p.Name)))
            {
                context.Add(node.Id, JsonScope.Join(path + ".inputs", port.Name), $"missing required input '{port.Name}' ({port.Type}) of activity '{activity.Type}'");
            }
        }
    }

    /// <summary>
    /// The fields of an override object (<see cref="ActivityDescriptor.Overrides"/>, e.g. a training grid's <c>branch</c>) that are
    /// known at save time: each must name an overridable input (or its former name) and hold a value of its type, the same rules
    /// <see cref="InputOverrides.Apply(ActivityDescriptor, JsonObject)"/> applies when the step runs (<see cref="InputOverrides.OverriddenPort"/>).
    /// </summary>
    private static void CheckOverrideFields(ValidationContext context, string nodeId, string field, ActivityDescriptor activity, JsonObject fields, Func<string, bool> isReference)
    {
        foreach (var (written, value) in fields)
        {
            var at = JsonScope.Join(field, written);
            if (InputOverrides.OverriddenPort(activity, written) is not { } port)
            {
                context.Add(nodeId, at, InputOverrides.NotOverridable(activity, written));
            }
            else if (value is not null && !isReference(written) && JsonKinds.Mismatch(value, port.Type) is { } mismatch)
            {
                context.Add(nodeId, at, $"type mismatch: {activity.Overrides!.Input} field '{port.Name}' is {port.Type}, but {mismatch}");
            }
        }
    }

    /// <summary>
    /// A list or object with references: each reference must resolve; in a <c>list&lt;T&gt;</c> input every element must be
    /// a T (a reference's type, or a literal's kind); a <c>json</c> input takes anything; other types take no list or object.
    /// </summary>
    private static void CheckTemplate(ValidationContext context, string nodeId, int index, string field, string name, TemplateInput template, DataType? expected, DataType? itemType)
    {
        var types = template.References.ToDictionary(r => r, r => context.Resolve(r.Expression, index, field + string.Concat(r.Path.Select(p => p is int i ? $"[{i}]" : $".{p}")), inInputs: true, itemType));
        if (expected is null || expected == DataType.Json)
        {
            return;
        }

        if (expected.Element is not { } element || template.Template is not JsonArray array)
        {
            context.Add(nodeId, field, $"type mismatch: input '{name}' is {expected}, but a {(template.Template is JsonArray ? "list" : "object")} with references is given");
            return;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (template.ElementReference(i) is { } expression)
            {
                var type = types.First(t => t.Key.Path.Count == 1 && t.Key.Path[0] is int at && at == i).Value;
                if (type is not null && !element.Accepts(type))
                {
                    context.Add(nodeId, $"{field}[{i}]", $"type mismatch: input '{name}' is {expected}, but element {i}, {expression}, is {type}");
                }
            }
            else if (!template.References.Any(r => r.Path[0] is int at && at == i) && JsonKinds.Mismatch(array[i], element) is { } mismatch)
            {
                context.Add(nodeId, $"{field}[{i}]", $"type mismatch: input '{name}' is {expected}, but element {i} {mismatch}");
            }
        }
    }

    private static void CheckOutputs(ValidationContext context)
    {
        foreach (var (name, expression) in context.Definition.Outputs)
        {
            context.Resolve(expression, null, JsonScope.Join("outputs", name), inInputs: false);
        }
    }

    private static void CheckReachability(ValidationContext context)
    {
        var definition = context.Definition;
        if (definition.Outputs.Count == 0)
        {
            return;
        }

        var seeds = definition.Outputs.Values
            .OfType<NodeOutputReference>()
            .Select(r => context.Graph.IndexOf.TryGetValue(r.NodeId, out var i) ? i : -1)
            .Where(i => i >= 0);
        var contributing = context.Graph.WithAncestors(seeds);
        for (var i = 0; i < definition.Nodes.Count; i++)
        {
            if (!contributing.Contains(i))
            {
                var id = definition.Nodes[i].Id;
                context.Add(id, $"nodes[{i}]", $"unreachable: node '{id}' contributes to no output (no workflow output depends on it, directly or through other nodes)");
            }
        }
    }

    private static string MappedHint(ValidationContext context, ValueExpression expression, DataType expected)
    {
        if (expression is NodeOutputReference reference
            && context.Graph.IndexOf.TryGetValue(reference.NodeId, out var i)
            && context.Definition.Nodes[i].Map is not null
            && context.OutputPort(i, reference.Output) is { } port
            && expected.Accepts(port.Type))
        {
            return $" (node '{reference.NodeId}' is mapped, so each of its outputs is the list of its per-element results; to use one element at a time, map this node over {reference})";
        }

        return "";
    }

    /// <summary>"the value is X" → "the default is X"; "element [1] is X" → "in the default, element [1] is X".</summary>
    private static string AboutDefault(string mismatch) =>
        mismatch.StartsWith("the value ", StringComparison.Ordinal) ? "the default " + mismatch["the value ".Length..] : "in the default, " + mismatch;
}
