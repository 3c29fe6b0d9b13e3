using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// A schedule or watch that cannot be added: a bad id, cron expression, folder, duration or parameter, or a
/// workflow file that is missing or invalid. Names the trigger, the field and the reason; for an invalid
/// workflow it also carries every problem of the definition.
/// </summary>
public sealed class TriggerDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="trigger">Which trigger, in words: <c>schedule 'nightly'</c>, or a place in a triggers file.</param>
    /// <param name="field">The field at fault, as in the triggers file: <c>cron</c>, <c>workflow</c>, <c>schedules[0].cron</c>.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="problems">The workflow's problems, when the field is the workflow.</param>
    public TriggerDefinitionException(string trigger, string field, string reason, IReadOnlyList<DefinitionProblem>? problems = null)
        : base(BuildMessage(trigger, field, reason, problems ?? []))
    {
        Trigger = trigger;
        Field = field;
        Reason = reason;
        Problems = problems ?? [];
    }

    /// <summary>Which trigger.</summary>
    public string Trigger { get; }

    /// <summary>The field at fault.</summary>
    public string Field { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    /// <summary>Problems of the workflow definition, if that is what is wrong.</summary>
    public IReadOnlyList<DefinitionProblem> Problems { get; }

    /// <summary>The same error placed in a triggers file: <c>FILE schedules[0] (schedule 'x')</c> and field <c>schedules[0].cron</c>.</summary>
    internal TriggerDefinitionException Within(string file, string path) =>
        new($"{file} {path} ({Trigger})", $"{path}.{Field}", Reason, Problems);

    private static string BuildMessage(string trigger, string field, string reason, IReadOnlyList<DefinitionProblem> problems) =>
        problems.Count == 0
            ? $"{trigger}: {field}: {reason}"
            : $"{trigger}: {field}: {reason}\n" + string.Join('\n', problems.Select(p => "  - " + p));
}
