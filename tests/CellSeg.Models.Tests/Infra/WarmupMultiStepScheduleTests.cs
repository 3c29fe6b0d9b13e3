using CellSeg.Models.Training;
using TorchSharp;

namespace CellSeg.Models.Tests.Infra;

public class WarmupMultiStepScheduleTests
{
    private static readonly WarmupMultiStepSchedule Paper = WarmupMultiStepSchedule.Paper;

    [Fact]
    public void Paper_schedule_starts_at_a_thousandth_and_rises_linearly_to_base_at_the_end_of_warmup()
    {
        Assert.Equal(0.005 * 1e-3, Paper.LearningRateAt(0), 12);
        Assert.Equal(0.005 * (1e-3 * 0.5 + 0.5), Paper.LearningRateAt(500), 12);       // detectron2: f·(1−α)+α
        Assert.Equal(0.005 * (1e-3 * (1 - 0.999) + 0.999), Paper.LearningRateAt(999), 12);
        Assert.Equal(0.005, Paper.LearningRateAt(1000), 12);
        Assert.Equal(0.005, Paper.LearningRateAt(1001), 12);
    }

    [Fact]
    public void Paper_schedule_divides_by_ten_at_each_step_iteration_itself()
    {
        Assert.Equal(0.005, Paper.LearningRateAt(10_499), 12);
        Assert.Equal(0.0005, Paper.LearningRateAt(10_500), 12);
        Assert.Equal(0.0005, Paper.LearningRateAt(10_501), 12);
        Assert.Equal(0.0005, Paper.LearningRateAt(11_499), 12);
        Assert.Equal(0.00005, Paper.LearningRateAt(11_500), 12);
        Assert.Equal(0.00005, Paper.LearningRateAt(11_501), 12);
        Assert.Equal(0.00005, Paper.LearningRateAt(Paper.MaxIterations - 1), 12);
        Assert.Equal((8, 12_500), (Paper.BatchSize, Paper.MaxIterations));
    }

    [Fact]
    public void Livecell_authors_schedule_has_their_rate_batch_and_steps()
    {
        var s = WarmupMultiStepSchedule.LivecellAuthors;
        Assert.Equal((16, 100_000), (s.BatchSize, s.MaxIterations));
        Assert.Equal(0.01e-3, s.LearningRateAt(0), 12);
        Assert.Equal(0.01, s.LearningRateAt(1000), 12);
        Assert.Equal(0.01, s.LearningRateAt(79_999), 12);
        Assert.Equal(0.001, s.LearningRateAt(80_000), 12);
        Assert.Equal(0.001, s.LearningRateAt(89_999), 12);
        Assert.Equal(0.0001, s.LearningRateAt(90_000), 12);
        Assert.Equal(0.0001, s.LearningRateAt(99_999), 12);
    }

    [Fact]
    public void A_step_inside_warmup_multiplies_with_the_warmup_factor()
    {
        var s = new WarmupMultiStepSchedule { BaseLearningRate = 1, BatchSize = 1, MaxIterations = 10, WarmupIterations = 4, Milestones = [2] };
        Assert.Equal((1e-3 * 0.5 + 0.5) * 0.1, s.LearningRateAt(2), 12);
    }

    [Fact]
    public void Apply_sets_every_parameter_group_of_the_optimizer()
    {
        using var conv = torch.nn.Conv2d(1, 2, 3);
        using var norm = Norms.Group(1, 2);
        using var net = torch.nn.Sequential(("conv", conv), ("norm", norm));
        using var sgd = SgdParameterGroups.CreateSgd(net, 0.005);
        var lr = Paper.Apply(sgd, 10_500);
        Assert.Equal(0.0005, lr, 12);
        Assert.Equal(2, sgd.ParamGroups.Count());
        Assert.All(sgd.ParamGroups, g => Assert.Equal(0.0005, g.LearningRate, 12));
    }

    [Fact]
    public void Steps_out_of_order_are_refused()
    {
        var s = Paper with { Milestones = [11_500, 10_500] };
        var e = Assert.Throws<ArgumentException>(() => s.Validate());
        Assert.Contains("ascending", e.Message);
        Assert.Same(Paper, Paper.Validate());
    }
}
