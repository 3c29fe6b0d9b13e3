namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Rules on single values, shared by the reader (as it reads JSON) and the validator (for definitions built
/// in code), so each rule is written once. Each returns the problem's message, or null when the value is fine.
/// </summary>
internal static class DefinitionRules
{
    public static string? Name(string name, string what) =>
        Identifiers.IsValid(name) ? null : $"{what} '{name}' is not a valid name: use {Identifiers.Rule}";

    public static string? Version(int version) =>
        version >= 1 ? null : $"version must be 1 or more, not {version}";

    public static string? Queue(string? queue) =>
        queue is null || QueueNames.IsKnown(queue)
            ? null
            : $"unknown queue '{queue}': use \"{QueueNames.Cpu}\", \"{QueueNames.Gpu}\", or leave it out for the activity's default";

    public static string? Timeout(TimeSpan timeout) =>
        timeout > TimeSpan.Zero ? null : "timeout must be longer than zero";

    public static string? Attempts(int attempts) =>
        attempts >= 1 ? null : $"attempts must be 1 or more (it counts the first attempt), not {attempts}";

    public static string? Delay(TimeSpan delay) =>
        delay >= TimeSpan.Zero ? null : "delay cannot be negative";

    public static string? MaxDelay(RetryBackoff backoff, TimeSpan delay, TimeSpan maxDelay)
    {
        if (backoff != RetryBackoff.Exponential)
        {
            return "maxDelay only applies to \"exponential\" backoff";
        }

        return maxDelay >= delay
            ? null
            : $"maxDelay ({DurationText.Format(maxDelay)}) is shorter than delay ({DurationText.Format(delay)})";
    }

    public static string? MapAs(string name)
    {
        if (Identifiers.IsReservedScope(name))
        {
            return $"the map element cannot be called '{name}': ${{{name}.…}} already means something";
        }

        return Name(name, "map element");
    }

    /// <summary>Problems for ids used more than once; each repeat is reported at its own place.</summary>
    public static IEnumerable<(int Index, string Message)> DuplicateIds(IReadOnlyList<string?> ids)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            if (id is null)
            {
                continue;
            }

            if (first.TryGetValue(id, out var earlier))
            {
                yield return (i, $"duplicate node id '{id}' (also nodes[{earlier}])");
            }
            else
            {
                first[id] = i;
            }
        }
    }
}
