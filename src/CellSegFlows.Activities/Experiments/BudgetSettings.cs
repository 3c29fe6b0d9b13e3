using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Activities.Experiments;

/// <summary>
/// Expands a budget's name (e.g. <c>smoke</c>, <c>cpu-day</c>, <c>paper</c>) into the settings the other nodes of an
/// experiment read by reference: image counts, synthetic densities, and the training grid's branches with the budget's
/// iterations, batch sizes and shapes in each. The presets are data (the workflow's <c>presets</c> parameter); see
/// <see cref="ExperimentBudget"/>.
/// </summary>
[Activity("BudgetSettings", Category = "Experiments", Description = "One budget preset of an experiment by name (presets are data in the workflow), with overrides: image counts, synthetic densities, and the U-Net and CenterMask grids with the budget's iterations, batch sizes and shapes merged into each branch; the LIVECell authors' V-99 as one more CenterMask branch when its checkpoint is given.")]
public sealed class BudgetSettings : Activity<BudgetSettings.Input, BudgetSettings.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("The preset's name.")] string Budget,
        [property: Port("The presets: an object of name → preset (sections data, synthetic, pca, unet, unetArchitectures, centerMask, description).")] JsonObject Presets,
        [property: Port("Fields merged over the chosen preset, e.g. {\"unet\": {\"epochs\": 3}}.")] JsonObject? Overrides = null,
        [property: Port("U-Net branches (TrainUNet branch objects; in the paper workflow, trained with the paper's uniform-cap synthetic sets); the budget's unet fields are added where a branch does not set them.")] IReadOnlyList<JsonObject>? UnetBranches = null,
        [property: Port("More U-Net branches, for a second TrainUNet node (in the paper workflow, trained with the calibrated-cap synthetic sets).")] IReadOnlyList<JsonObject>? UnetCalibratedBranches = null,
        [property: Port("CenterMask branches (FinetuneCenterMask branch objects); the budget's centerMask fields are added where a branch does not set them.")] IReadOnlyList<JsonObject>? CenterMaskBranches = null,
        [property: Port("The LIVECell authors' CenterMask V-99 checkpoint; given: one more CenterMask branch that turns it into a model without training (the oracle). Empty: none.", Kind = PortKind.FileToRead)] string OracleWeights = "",
        [property: Port("The oracle branch's name.")] string OracleName = "Oracle V-99");

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The preset after overrides, with its name (JSON: what the run's report names as its budget).")] JsonObject Settings,
        [property: Port("The preset's description.")] string Description,
        [property: Port("Training images kept per cell type (0: all).")] int TrainImagesPerCellType,
        [property: Port("Validation and test images kept per cell type (0: all).")] int TestImagesPerCellType,
        [property: Port("Width of the procedural sample's images.")] int SampleWidth,
        [property: Port("Height of the procedural sample's images.")] int SampleHeight,
        [property: Port("Cells per synthetic image, one set per level.")] IReadOnlyList<int> Densities,
        [property: Port("Synthetic images per cell type and density.")] int SyntheticImagesPerCellType,
        [property: Port("Densities of the synthetic preview sheet.")] IReadOnlyList<int> PreviewDensities,
        [property: Port("Images per dataset the PCA reads at most.")] int PcaMaxImagesPerDataset,
        [property: Port("The U-Net branches with the budget's fields.")] IReadOnlyList<JsonObject> UnetBranches,
        [property: Port("The calibrated-cap U-Net branches with the budget's fields.")] IReadOnlyList<JsonObject> UnetCalibratedBranches,
        [property: Port("The CenterMask branches with the budget's fields, the oracle last when its checkpoint is given.")] IReadOnlyList<JsonObject> CenterMaskBranches);

    /// <inheritdoc />
    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var budget = ActivityInputs.Check("budget", () => ExperimentBudget.Select(input.Presets, input.Budget, input.Overrides));
        var centerMask = budget.CenterMaskBranches(input.CenterMaskBranches ?? []).ToList();
        if (!string.IsNullOrWhiteSpace(input.OracleWeights))
        {
            // The oracle takes the budget's inference settings (test size, detections) but trains nothing.
            var oracle = (JsonObject)budget.CenterMask.DeepClone();
            ExperimentBudget.Merge(oracle, ExperimentBudget.OracleBranch(input.OracleName, input.OracleWeights));
            centerMask.Add(oracle);
        }

        context.Logger.LogInformation("budget {Budget}: {Settings}", budget.Name, budget.Settings.ToJsonString());
        var settings = new JsonObject { ["name"] = budget.Name };
        ExperimentBudget.Merge(settings, budget.Settings);
        return Task.FromResult(new Output(
            settings, budget.Description, budget.TrainImagesPerCellType, budget.TestImagesPerCellType, budget.SampleWidth, budget.SampleHeight,
            budget.Densities, budget.SyntheticImagesPerCellType, budget.PreviewDensities, budget.PcaMaxImagesPerDataset,
            budget.UNetBranches(input.UnetBranches ?? []), budget.UNetBranches(input.UnetCalibratedBranches ?? []), centerMask));
    }
}
