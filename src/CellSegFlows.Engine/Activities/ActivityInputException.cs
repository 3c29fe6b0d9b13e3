namespace CellSegFlows.Engine.Activities;

/// <summary>
/// An input of a step is wrong: a value out of range, a file that is not there, inputs that contradict each other, an
/// override object with a field the activity does not have. A user's mistake, not a fault: the engine fails the step at
/// once, whatever the node's retry policy, with one line (no stack trace) naming the node and this message.
/// </summary>
/// <remarks>
/// Activities throw it for what they check themselves; exceptions of a library that mean the user's data is bad are
/// treated the same once registered with <see cref="ActivityRegistry.TreatAsInputError{TException}"/>.
/// </remarks>
public sealed class ActivityInputException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="input">The input whose value is wrong (its name as definitions write it), or null when no single input is.</param>
    /// <param name="message">What is wrong, in words a user can act on; shown as it is.</param>
    /// <param name="inner">The cause, if any (kept for the journal, not shown in the one line).</param>
    public ActivityInputException(string? input, string message, Exception? inner = null)
        : base(message, inner)
    {
        Input = input;
    }

    /// <summary>The input whose value is wrong, or null when the mistake is not in one input.</summary>
    public string? Input { get; }
}
