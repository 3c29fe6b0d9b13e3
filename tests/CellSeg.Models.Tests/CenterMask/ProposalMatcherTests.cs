using CellSeg.Models.CenterMask;

namespace CellSeg.Models.Tests.CenterMask;

public class ProposalMatcherTests
{
    private static readonly float[] Gt = [0, 0, 10, 10, 20, 20, 40, 40];

    [Fact]
    public void Proposals_with_iou_at_least_a_half_match_their_best_cell_and_gt_boxes_are_appended()
    {
        float[] proposals =
        [
            0, 0, 10, 20,    // IoU 0.5 with cell 0 → foreground (≥)
            0, 0, 10, 21,    // IoU 100/210 < 0.5 → background
            22, 22, 40, 40,  // IoU 324/400 with cell 1
            100, 100, 110, 110,
        ];
        var matcher = new ProposalMatcher(new ProposalMatcherOptions(NumClasses: 3, BatchSizePerImage: 100));
        var sample = matcher.Sample(proposals, Gt, [2, 1], new Random(1));

        Assert.Equal(6, sample.Count); // 4 proposals + 2 GT boxes
        var bySource = Enumerable.Range(0, sample.Count).ToDictionary(i => sample.SourceIndex[i]);
        Assert.Equal(0, sample.MatchedGt[bySource[0]]);
        Assert.Equal(2, sample.Classes[bySource[0]]);
        Assert.Equal(-1, sample.MatchedGt[bySource[1]]);
        Assert.Equal(3, sample.Classes[bySource[1]]); // background = NumClasses
        Assert.Equal(1, sample.MatchedGt[bySource[2]]);
        Assert.Equal(-1, sample.MatchedGt[bySource[3]]);
        Assert.Equal(0, sample.MatchedGt[bySource[4]]); // appended GT 0
        Assert.Equal(1, sample.MatchedGt[bySource[5]]);
        Assert.Equal(new float[] { 20, 20, 40, 40 }, sample.Boxes.AsSpan(bySource[5] * 4, 4).ToArray());

        // Foreground first, then background.
        Assert.Equal([0, 1, 2, 3], sample.ForegroundPositions());
    }

    [Fact]
    public void Sampling_caps_the_foreground_share_and_repeats_with_the_same_seed()
    {
        var generator = new Random(5);
        var proposals = new float[200 * 4];
        for (var i = 0; i < 200; i++)
        {
            // Half near cell 0 (foreground), half far away.
            var near = i % 2 == 0;
            float jitter = generator.Next(0, 2);
            float[] box = near ? [jitter, 0, 10 + jitter, 10] : [60 + i, 60, 70 + i, 70];
            box.CopyTo(proposals, i * 4);
        }

        var matcher = new ProposalMatcher(new ProposalMatcherOptions(BatchSizePerImage: 16, PositiveFraction: 0.25));
        var a = matcher.Sample(proposals, Gt, [0, 0], new Random(42));
        var b = matcher.Sample(proposals, Gt, [0, 0], new Random(42));
        var c = matcher.Sample(proposals, Gt, [0, 0], new Random(43));

        Assert.Equal(16, a.Count);
        Assert.Equal(4, a.ForegroundPositions().Length);
        Assert.Equal(a.SourceIndex, b.SourceIndex);
        Assert.NotEqual(a.SourceIndex, c.SourceIndex);
        Assert.Equal(a.SourceIndex.Length, a.SourceIndex.Distinct().Count());
    }

    [Fact]
    public void Without_cells_every_proposal_is_background()
    {
        var sample = new ProposalMatcher().Sample([0, 0, 5, 5, 1, 1, 4, 4], [], [], new Random(0));
        Assert.Equal(2, sample.Count);
        Assert.All(sample.MatchedGt, m => Assert.Equal(-1, m));
        Assert.All(sample.Classes, c => Assert.Equal(1, c));
    }

    [Fact]
    public void Few_positives_leave_the_rest_of_the_batch_to_background()
    {
        float[] proposals = [0, 0, 10, 10, 50, 50, 60, 60, 70, 70, 80, 80, 90, 90, 95, 95];
        var sample = new ProposalMatcher(new ProposalMatcherOptions(BatchSizePerImage: 4, AppendGroundTruth: false))
            .Sample(proposals, [0, 0, 10, 10], [0], new Random(0));
        Assert.Equal(4, sample.Count);
        Assert.Single(sample.ForegroundPositions());
    }
}
