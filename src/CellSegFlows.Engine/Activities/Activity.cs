using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Activities;

/// <summary>
/// Base class of every activity: typed input and output records (their properties are the node's
/// ports), one short <see cref="ExecuteAsync(TInput, ActivityContext)"/> that calls a library.
/// </summary>
/// <typeparam name="TInput">A record whose properties are the inputs; constructor defaults are the input defaults.</typeparam>
/// <typeparam name="TOutput">A record whose properties are the outputs.</typeparam>
public abstract class Activity<TInput, TOutput> : IActivity
    where TInput : class
    where TOutput : class
{
    /// <summary>Does the work.</summary>
    protected abstract Task<TOutput> ExecuteAsync(TInput input, ActivityContext context);

    /// <inheritdoc />
    async Task<JsonObject> IActivity.ExecuteAsync(JsonObject inputs, ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(context);
        TInput input;
        try
        {
            // The engine merged an override object already (its input is gone then); an activity run by hand gets the same.
            input = InputOverrides.Apply(GetType(), inputs).Deserialize<TInput>(ActivityJson.Options)
                ?? throw new ActivityInputException(null, $"inputs of {GetType().Name} are null");
        }
        catch (JsonException ex)
        {
            throw new ActivityInputException(InputOf(ex.Path), $"inputs do not fit {typeof(TInput).Name}: {ex.Message}", ex);
        }

        var output = await ExecuteAsync(input, context).ConfigureAwait(false);
        return JsonSerializer.SerializeToNode(output, ActivityJson.Options)!.AsObject();
    }

    /// <summary>The input a JSON path (<c>$.batchSize</c>, <c>$.cellTypes[1]</c>) is in, when it names one.</summary>
    private static string? InputOf(string? path)
    {
        if (path is null || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        var end = path.IndexOfAny(['.', '['], 2);
        return end < 0 ? path[2..] : path[2..end];
    }
}

/// <summary>The JSON conventions for activity inputs and outputs: camelCase names, strict numbers.</summary>
public static class ActivityJson
{
    /// <summary>Options used for every (de)serialisation of ports.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        WriteIndented = false,
    };
}
