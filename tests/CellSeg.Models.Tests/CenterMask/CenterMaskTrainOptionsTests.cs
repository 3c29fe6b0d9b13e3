using CellSeg.Models.CenterMask;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests.CenterMask;

public class CenterMaskTrainOptionsTests
{
    private static CenterMaskTrainOptions Valid => new() { Train = new CocoImageSet("a.json", "images"), OutputModelPath = "cm.model" };

    [Fact]
    public void Defaults_are_the_papers_solver()
    {
        var o = Valid;
        o.Validate();
        Assert.Same(WarmupMultiStepSchedule.Paper, o.Schedule);
        Assert.Equal(0.9, o.Momentum);
        Assert.Equal(1e-4, o.WeightDecay);
        Assert.Null(o.GradientClipNorm);
    }

    [Fact]
    public void Bad_solver_values_are_refused_naming_the_option()
    {
        Assert.Contains("CheckpointEvery", Assert.Throws<ArgumentException>(() => (Valid with { CheckpointEvery = 0 }).Validate()).Message);
        Assert.Contains("GradientClipNorm", Assert.Throws<ArgumentException>(() => (Valid with { GradientClipNorm = 0 }).Validate()).Message);
        Assert.Contains("Momentum", Assert.Throws<ArgumentException>(() => (Valid with { Momentum = -1 }).Validate()).Message);
        Assert.Contains("milestones must be strictly ascending", Assert.Throws<ArgumentException>(() => (Valid with { Schedule = WarmupMultiStepSchedule.Paper with { Milestones = [5, 3] } }).Validate()).Message);
    }
}
