namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Which node depends on which, from <c>${nodes.…}</c> references in inputs and <c>map.over</c>. The one place
/// that finds cycles and orders nodes, used by both <see cref="WorkflowValidator"/> and <see cref="WorkflowPlan"/>.
/// References to unknown nodes and to the node itself make no edge (the validator reports those).
/// </summary>
internal sealed class DependencyGraph
{
    private readonly Dictionary<(int Child, int Parent), string> _edgeFields;

    private DependencyGraph(
        IReadOnlyList<NodeDefinition> nodes,
        Dictionary<string, int> indexOf,
        List<int>[] parents,
        List<int>[] children,
        Dictionary<(int Child, int Parent), string> edgeFields)
    {
        Nodes = nodes;
        IndexOf = indexOf;
        Parents = parents;
        Children = children;
        _edgeFields = edgeFields;
    }

    public IReadOnlyList<NodeDefinition> Nodes { get; }

    /// <summary>Node index by id (the first node when an id is repeated).</summary>
    public IReadOnlyDictionary<string, int> IndexOf { get; }

    /// <summary>Per node, the nodes it depends on, in definition order, each once.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Parents { get; }

    /// <summary>Per node, the nodes that depend on it, in definition order, each once.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Children { get; }

    public static DependencyGraph Build(WorkflowDefinition definition)
    {
        var nodes = definition.Nodes;
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            indexOf.TryAdd(nodes[i].Id, i);
        }

        var parents = Enumerable.Range(0, nodes.Count).Select(_ => new List<int>()).ToArray();
        var children = Enumerable.Range(0, nodes.Count).Select(_ => new List<int>()).ToArray();
        var edgeFields = new Dictionary<(int, int), string>();
        for (var child = 0; child < nodes.Count; child++)
        {
            foreach (var (field, expression) in References(nodes[child], child))
            {
                if (expression is NodeOutputReference reference
                    && indexOf.TryGetValue(reference.NodeId, out var parent)
                    && parent != child
                    && edgeFields.TryAdd((child, parent), field))
                {
                    parents[child].Add(parent);
                    children[parent].Add(child);
                }
            }
        }

        foreach (var list in parents.Concat(children))
        {
            list.Sort();
        }

        return new DependencyGraph(nodes, indexOf, parents, children, edgeFields);
    }

    /// <summary>Every reference a node makes, with its path: <c>map.over</c> first, then inputs in order.</summary>
    public static IEnumerable<(string Field, ValueExpression Expression)> References(NodeDefinition node, int index)
    {
        var path = $"nodes[{index}]";
        if (node.Map is not null)
        {
            yield return (path + ".map.over", node.Map.Over);
        }

        foreach (var (name, value) in node.Inputs)
        {
            if (value is ReferenceInput reference)
            {
                yield return (JsonScope.Join(path + ".inputs", name), reference.Expression);
            }
            else if (value is TemplateInput template)
            {
                foreach (var (at, expression) in template.References)
                {
                    yield return (JsonScope.Join(path + ".inputs", name) + string.Concat(at.Select(p => p is int i ? $"[{i}]" : $".{p}")), expression);
                }
            }
        }
    }

    /// <summary>
    /// One cycle per group of nodes that depend on each other (strongly connected component), ordered by the
    /// group's first node; each is the shortest cycle through that node.
    /// </summary>
    public IReadOnlyList<DependencyCycle> FindCycles()
    {
        var cycles = new List<DependencyCycle>();
        foreach (var component in StronglyConnectedComponents().Where(c => c.Count > 1).OrderBy(c => c.Min()))
        {
            cycles.Add(ShortestCycleThrough(component.Min(), component));
        }

        return cycles;
    }

    /// <summary>
    /// Kahn's order with ties broken by definition order, so the order is stable. Nodes on or behind a cycle are
    /// left out; call <see cref="FindCycles"/> first.
    /// </summary>
    public IReadOnlyList<int> TopologicalOrder()
    {
        var remaining = Parents.Select(p => p.Count).ToArray();
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < Nodes.Count; i++)
        {
            if (remaining[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<int>(Nodes.Count);
        while (ready.TryDequeue(out var node, out _))
        {
            order.Add(node);
            foreach (var child in Children[node])
            {
                if (--remaining[child] == 0)
                {
                    ready.Enqueue(child, child);
                }
            }
        }

        return order;
    }

    /// <summary>The given nodes and every node they depend on, directly or through others.</summary>
    public HashSet<int> WithAncestors(IEnumerable<int> nodes)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<int>(nodes);
        while (stack.TryPop(out var node))
        {
            if (seen.Add(node))
            {
                foreach (var parent in Parents[node])
                {
                    stack.Push(parent);
                }
            }
        }

        return seen;
    }

    private DependencyCycle ShortestCycleThrough(int start, HashSet<int> component)
    {
        // Breadth-first along data flow from start, inside the component, until an edge leads back to start.
        var previous = new Dictionary<int, int> { [start] = -1 };
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.TryDequeue(out var node))
        {
            foreach (var child in Children[node])
            {
                if (child == start)
                {
                    var path = new List<int>();
                    for (var at = node; at != -1; at = previous[at])
                    {
                        path.Add(at);
                    }

                    path.Reverse();
                    path.Add(start);
                    return new DependencyCycle(path.Select(i => Nodes[i].Id).ToList(), start, _edgeFields[(start, node)]);
                }

                if (component.Contains(child) && previous.TryAdd(child, node))
                {
                    queue.Enqueue(child);
                }
            }
        }

        throw new InvalidOperationException("A strongly connected component without a cycle through its first node.");
    }

    private List<HashSet<int>> StronglyConnectedComponents()
    {
        // Tarjan's algorithm, iterative so that a long chain of nodes cannot overflow the stack.
        var index = new int[Nodes.Count];
        var low = new int[Nodes.Count];
        var onStack = new bool[Nodes.Count];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var components = new List<HashSet<int>>();
        var counter = 0;
        for (var root = 0; root < Nodes.Count; root++)
        {
            if (index[root] != -1)
            {
                continue;
            }

            var work = new Stack<(int Node, int NextChild)>();
            work.Push((root, 0));
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;
            while (work.TryPop(out var frame))
            {
                var (node, next) = frame;
                if (next < Children[node].Count)
                {
                    work.Push((node, next + 1));
                    var child = Children[node][next];
                    if (index[child] == -1)
                    {
                        index[child] = low[child] = counter++;
                        stack.Push(child);
                        onStack[child] = true;
                        work.Push((child, 0));
                    }
                    else if (onStack[child])
                    {
                        low[node] = Math.Min(low[node], index[child]);
                    }

                    continue;
                }

                if (low[node] == index[node])
                {
                    var component = new HashSet<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component.Add(member);
                    }
                    while (member != node);
                    components.Add(component);
                }

                if (work.TryPeek(out var parentFrame))
                {
                    low[parentFrame.Node] = Math.Min(low[parentFrame.Node], low[node]);
                }
            }
        }

        return components;
    }
}
