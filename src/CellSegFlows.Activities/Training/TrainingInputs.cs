using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Training;

/// <summary>Input checks the training activities share.</summary>
internal static class TrainingInputs
{
    /// <summary>The synthetic sets' COCO files of a branch that asks for synthetic data.</summary>
    /// <exception cref="ActivityInputException">None were given.</exception>
    public static IReadOnlyList<ArtifactRef> SyntheticSets(string branch, IReadOnlyList<ArtifactRef>? annotations) =>
        annotations is { Count: > 0 } sets
            ? sets
            : throw new ActivityInputException("syntheticAnnotations", $"branch '{branch}' asks for synthetic data but no syntheticAnnotations were given");
}
