namespace CellSegFlows.Engine.Runtime;

/// <summary>How errors are written into the journal: the message of each exception in the cause chain.</summary>
public static class ErrorText
{
    /// <summary>"outer message ← caused by: inner message ← …", types included for non-obvious ones.</summary>
    public static string CauseChain(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var parts = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AggregateException { InnerExceptions.Count: > 1 } aggregate)
            {
                parts.Add(string.Join("; ", aggregate.InnerExceptions.Select(i => $"{i.GetType().Name}: {i.Message}")));
                break;
            }

            parts.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(" ← caused by: ", parts);
    }
}
