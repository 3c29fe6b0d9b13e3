using CellSeg.Models.CenterMask;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>What a notebook needs to set up a finetuning the way the workflows do: names, presets, sizes, history.</summary>
public class TrainingSetupTests
{
    [Fact]
    public void Architecture_names_give_the_lite_defaults_and_the_livecell_v99_preset()
    {
        Assert.Equal(["lite-v19-slim-dw", "livecell-v99"], CenterMaskArchitectures.Names);
        Assert.Equivalent(new CenterMaskConfig(), CenterMaskArchitectures.Get("lite-v19-slim-dw"), strict: true);
        Assert.Same(CenterMaskConfig.LivecellV99, CenterMaskArchitectures.Get(CenterMaskArchitectures.LivecellV99));
        Assert.Null(CenterMaskArchitectures.Find("v-57"));
        var error = Assert.Throws<ArgumentException>(() => CenterMaskArchitectures.Get("v-57"));
        Assert.Equal("architecture 'v-57' is not one of lite-v19-slim-dw, livecell-v99", error.Message);
    }

    [Fact]
    public void Input_sizes_replace_only_what_is_given()
    {
        var lite = new CenterMaskConfig();
        Assert.Equal(lite, lite.WithInputSizes(null, null));
        Assert.Equal(lite, lite.WithInputSizes([], null));
        var sized = CenterMaskConfig.LivecellV99.WithInputSizes([0], 0);
        Assert.Equal([0], sized.Input.MinSizeTrain);
        Assert.Equal(0, sized.Input.MinSizeTest);
        Assert.Equal(CenterMaskConfig.LivecellV99.Input with { MinSizeTrain = sized.Input.MinSizeTrain, MinSizeTest = 0 }, sized.Input);
        Assert.Equal(CenterMaskConfig.LivecellV99 with { Input = sized.Input }, sized);
        Assert.Equal([440, 480, 520, 560, 580, 620], CenterMaskConfig.LivecellV99.Input.MinSizeTrain);   // the preset itself is unchanged
    }

    [Fact]
    public void Schedule_presets_by_name_take_overrides_and_are_validated_by_the_caller()
    {
        Assert.Equal(["paper", "livecell-authors"], WarmupMultiStepSchedule.PresetNames);
        Assert.Same(WarmupMultiStepSchedule.Paper, WarmupMultiStepSchedule.Preset("paper"));
        Assert.Same(WarmupMultiStepSchedule.LivecellAuthors, WarmupMultiStepSchedule.Preset("livecell-authors"));
        Assert.Equal("schedule 'fast' is not one of paper, livecell-authors", Assert.Throws<ArgumentException>(() => WarmupMultiStepSchedule.Preset("fast")).Message);

        var paper = WarmupMultiStepSchedule.Paper;
        Assert.Equal(paper, paper.With());
        var tiny = paper.With(batchSize: 1, maxIterations: 2, warmupIterations: 1, milestones: [1]);
        Assert.Equal(paper with { BatchSize = 1, MaxIterations = 2, WarmupIterations = 1, Milestones = tiny.Milestones }, tiny);
        Assert.Equal([1], tiny.Milestones);
        Assert.Equal(paper with { BaseLearningRate = 0.01, WarmupFactor = 0.5, Gamma = 0.2, Milestones = paper.Milestones }, paper.With(baseLearningRate: 0.01, warmupFactor: 0.5, gamma: 0.2));
        Assert.Contains("milestones must be strictly ascending: 5, 3", Assert.Throws<ArgumentException>(() => paper.With(milestones: [5, 3]).Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_centermask_history_has_a_row_per_iteration_with_round_trip_numbers_and_empty_missing_components()
    {
        var history = new CenterMaskHistoryCsv();
        Assert.Equal("iteration,learning_rate,total_loss,loss_fcos_cls,loss_fcos_loc,loss_fcos_ctr,loss_mask,loss_maskiou,images_per_second\n", CenterMaskHistoryCsv.Header);
        Assert.Equal(CenterMaskHistoryCsv.Header, history.ToString());

        var losses = new Dictionary<string, double> { ["loss_fcos_cls"] = 0.1, ["loss_fcos_loc"] = 1.0 / 3, ["loss_mask"] = 2 };
        history.Add(new CenterMaskTrainProgress(CenterMaskTrainEvent.Iteration, 1, 2, losses, 2.4333333333333331, 5e-6, 1.5));
        history.Add(new CenterMaskTrainProgress(CenterMaskTrainEvent.Checkpoint, 1, 2, new Dictionary<string, double>(), 0, 0, 0));
        history.Add(new CenterMaskTrainProgress(CenterMaskTrainEvent.Resumed, 1, 2, new Dictionary<string, double>(), 0, 0, 0));
        Assert.Equal(CenterMaskHistoryCsv.Header + "1,5E-06,2.433333333333333,0.1,0.3333333333333333,,2,,1.5\n", history.ToString());
    }

    [Fact]
    public async Task The_unet_history_has_a_row_per_epoch_and_an_empty_dice_without_validation()
    {
        EpochSummary[] epochs = [new(1, 10, 0.5, null, 1e-5), new(2, 20, 0.25, 0.875, 1e-5)];
        var expected = "epoch,iteration,mean_loss,validation_f1,learning_rate\n1,10,0.5,,1E-05\n2,20,0.25,0.875,1E-05\n";
        Assert.Equal(expected, TrainHistoryCsv.Format(epochs));
        var path = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.csv");
        try
        {
            await TrainHistoryCsv.WriteAsync(epochs, path);
            Assert.Equal(expected, await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
