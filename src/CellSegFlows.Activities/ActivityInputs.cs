using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities;

/// <summary>
/// The boundary between a library's argument checks and the engine: a library says "bad argument" with an
/// <see cref="ArgumentException"/>; at an activity, when the argument is a user's input, that is an
/// <see cref="ActivityInputException"/> (the step fails at once, one line, no retries).
/// </summary>
internal static class ActivityInputs
{
    /// <summary>The value of <paramref name="build"/>, its <see cref="ArgumentException"/> turned into an input error of <paramref name="input"/> (null: the message names it).</summary>
    /// <exception cref="ActivityInputException">The library refused the value.</exception>
    public static T Check<T>(string? input, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException ex)
        {
            throw new ActivityInputException(input, ex.Message, ex);
        }
    }

    /// <summary>Runs <paramref name="check"/> (a library's <c>Validate()</c>), its <see cref="ArgumentException"/> turned into an input error.</summary>
    /// <exception cref="ActivityInputException">The library refused a value.</exception>
    public static void Check(string? input, Action check) => Check<bool>(input, () =>
    {
        check();
        return true;
    });
}
