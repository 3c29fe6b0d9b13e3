namespace CellSegFlows.Engine.Activities;

/// <summary>
/// A fault that may pass if the step is tried again (a network drop, a busy device, a file another process still
/// writes). Always retried under the node's retry policy, even when its cause alone would not be (e.g. an
/// <see cref="ActivityInputException"/> that turned out to be a race): throw it to say so explicitly.
/// </summary>
/// <remarks>Any other exception that is not a user mistake is retried too; this type is for activities that know.</remarks>
public sealed class TransientActivityException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="inner">The low-level cause, if any.</param>
    public TransientActivityException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
