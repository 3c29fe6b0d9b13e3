using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Activities;

/// <summary>The untyped face of an activity that the runner calls; implement <see cref="Activity{TInput, TOutput}"/> instead.</summary>
public interface IActivity
{
    /// <summary>Runs with inputs as a JSON object and returns outputs as a JSON object.</summary>
    Task<JsonObject> ExecuteAsync(JsonObject inputs, ActivityContext context);
}
