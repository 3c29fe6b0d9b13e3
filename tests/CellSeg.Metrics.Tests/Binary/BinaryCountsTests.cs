using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;

namespace CellSeg.Metrics.Tests.Binary;

public sealed class BinaryCountsTests
{
    [Fact]
    public void Dice_equals_f1_and_matches_hand_counts()
    {
        var predicted = new BinaryMask(2, 4, [1, 1, 1, 0, 0, 0, 1, 0]);
        var target = new BinaryMask(2, 4, [1, 1, 0, 0, 1, 0, 1, 0]);
        var c = BinaryCounts.Compare(predicted, target);
        Assert.Equal(new BinaryCounts(3, 1, 1, 3), c);
        Assert.Equal(0.75, c.Precision);
        Assert.Equal(0.75, c.Recall);
        Assert.Equal(6.0 / 8.0, c.Dice);
        Assert.Equal(c.Dice, c.F1);
        Assert.Equal(3.0 / 5.0, c.Iou);
        Assert.Equal(6.0 / 8.0, c.Accuracy);
    }

    [Fact]
    public void Rle_comparison_equals_pixel_comparison()
    {
        var a = Rle.FromPolygon([2, 2, 30, 4, 25, 28, 3, 20], 32, 40);
        var b = Rle.FromPolygon([10, 1, 38, 10, 30, 30, 12, 25], 32, 40);
        Assert.Equal(BinaryCounts.Compare(a.Decode(), b.Decode()), BinaryCounts.Compare(a, b));
    }

    [Fact]
    public void Empty_prediction_and_empty_target_score_one_and_empty_prediction_alone_scores_zero()
    {
        var empty = new BinaryMask(3, 3);
        var one = new BinaryMask(3, 3);
        one[1, 1] = 1;
        var bothEmpty = BinaryCounts.Compare(empty, empty);
        Assert.Equal((1.0, 1.0, 1.0, 1.0), (bothEmpty.Dice, bothEmpty.Precision, bothEmpty.Recall, bothEmpty.Iou));
        var missed = BinaryCounts.Compare(empty, one);
        Assert.Equal((0.0, 0.0, 0.0), (missed.Dice, missed.Precision, missed.Recall));
    }

    [Fact]
    public void Pooled_f1_weighs_pixels_and_mean_f1_weighs_images()
    {
        var big = new BinaryCounts(90, 10, 0, 900);   // F1 0.947
        var small = new BinaryCounts(0, 1, 1, 98);    // F1 0
        var scores = SemanticScores.From([big, small]);
        Assert.Equal(180.0 / 192.0, scores.F1, 12);
        Assert.Equal((180.0 / 190.0 + 0) / 2, scores.MeanImageF1, 12);
        Assert.Equal(2, scores.ImageCount);
    }
}
