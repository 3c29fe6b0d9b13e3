using CellSeg.Models.Weights;

namespace CellSeg.Models.CenterMask;

/// <summary>Published CenterMask checkpoints as model files, without training.</summary>
public static class CenterMaskPretrained
{
    /// <summary>
    /// Loads a centermask2 checkpoint (e.g. the LIVECell authors' released V-99 model, the paper's oracle) into a
    /// model of <paramref name="config"/> and writes it as a <see cref="CenterMaskModelFile"/>, so it can be
    /// evaluated like a finetuned one. Every tensor of the model must come from the file: a model with
    /// missing or mis-shaped tensors would score as if untrained, so that is an error; file tensors the model
    /// has no place for (e.g. pixel statistics, batch counters) are only reported.
    /// </summary>
    /// <exception cref="WeightLoadException">A model tensor is missing from the file or has another shape (the message lists them).</exception>
    public static WeightLoadReport Export(CenterMaskConfig config, string weightsPath, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var model = new CenterMaskModel(config);
        var report = WeightLoader.Load(model, weightsPath, model.Centermask2Map(), strict: false);
        if (report.Missing.Count > 0 || report.Mismatched.Count > 0)
        {
            throw new WeightLoadException(report);
        }

        model.eval();
        CenterMaskModelFile.Save(model, outputPath, new Dictionary<string, string>
        {
            ["pretrained"] = Path.GetFileName(weightsPath),
            ["iterations"] = "0",
        });
        return report;
    }
}
