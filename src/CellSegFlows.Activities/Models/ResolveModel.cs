using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Registry;

namespace CellSegFlows.Activities.Models;

/// <summary>Looks up a registered model's champion (or one version) at the time the step runs, so later nodes can evaluate it or start from it.</summary>
[Activity("ResolveModel", Category = "Models", Cacheable = false, Description = "The current champion (or a given version) of a model in the registry: its artifact, version and whether it exists yet. Runs every time (never from the cache): the champion changes.")]
public sealed class ResolveModel : Activity<ResolveModel.Input, ResolveModel.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("The registered model's name.")] string Name,
        [property: Port("A version number; 0: the champion.")] int Version = 0,
        [property: Port("Fail when there is no such model, version or champion; false (default): outputs found = false and no model, as on the first run of a retraining loop.")] bool Required = false,
        [property: Port("Whether training should start from it: warmStartModel is the model when true, none when false.")] bool WarmStart = false);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The model file; none when not found.")] ArtifactRef? Model,
        [property: Port("The model as a list of one, or an empty list when not found (for a list input such as EvaluateSemantic's models).")] IReadOnlyList<ArtifactRef> Models,
        [property: Port("The model when warmStart is true and it was found; none otherwise (for TrainUNet's initialModel).")] ArtifactRef? WarmStartModel,
        [property: Port("Its version; 0 when not found.")] int Version,
        [property: Port("Whether it exists.")] bool Found,
        [property: Port("model://NAME@VERSION of what was found, or the reference asked for.")] string Reference);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var registry = context.Models ?? throw new InvalidOperationException("ResolveModel needs the engine's model registry");
        if (!ModelReference.IsValidName(input.Name))
        {
            throw new ModelRegistryException($"'{input.Name}' is not a valid model name: letters, digits, '_', '-' and '.', starting with a letter or digit");
        }

        if (input.Version < 0)
        {
            throw new ModelRegistryException($"version must be 0 (the champion) or a version number, not {input.Version}");
        }

        var reference = new ModelReference(input.Name, input.Version == 0 ? null : input.Version);
        var found = input.Required
            ? await registry.ResolveAsync(reference, context.CancellationToken).ConfigureAwait(false)
            : await registry.TryResolveAsync(reference, context.CancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            context.Progress.Report(new StepProgress(1, $"{reference}: none yet"));
            return new Output(null, [], null, 0, false, reference.ToString());
        }

        var artifact = ModelRegistry.ArtifactIn(reference, found, context.Artifacts);

        var exact = new ModelReference(found.Name, found.Version).ToString();
        context.Progress.Report(new StepProgress(1, $"{reference} is {exact}"));
        return new Output(artifact, [artifact], input.WarmStart ? artifact : null, found.Version, true, exact);
    }
}
