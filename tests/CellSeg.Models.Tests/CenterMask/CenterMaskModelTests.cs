using CellSeg.Data;
using CellSeg.Models.CenterMask;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class CenterMaskModelTests
{
    private static CenterMaskBatch Batch(CenterMaskConfig config, bool training)
    {
        using var image = rand(48, 60) * 255;
        using var boxes = tensor(new float[] { 5, 6, 25, 30, 30, 10, 55, 40 }).reshape(2, 4);
        IReadOnlyList<IReadOnlyList<double[]>> polygons = [[new double[] { 5, 6, 25, 6, 25, 30, 5, 30 }], [new double[] { 30, 10, 55, 25, 30, 40 }]];
        var sample = new CenterMaskSample(image, training ? boxes : null, null, training ? polygons : null);
        return config.CreateInput().Prepare([sample], shortSide: 64, maxSize: 200, flip: false);
    }

    [Fact]
    public void Training_gives_five_finite_losses_whose_total_reaches_every_part()
    {
        torch.manual_seed(1);
        using var model = new CenterMaskModel(TinyCenterMask.Config);
        using var batch = Batch(model.Config, training: true);
        using var losses = model.Losses(batch, new Random(2));
        var values = losses.Values();
        Assert.Equal(CenterMaskLosses.Names, values.Keys);
        Assert.All(values.Values, v => Assert.True(double.IsFinite(v) && v >= 0));
        Assert.True(losses.Positives > 0);
        Assert.True(losses.ForegroundRois >= 2, "GT boxes are appended to the proposals");
        using var total = losses.Total();
        total.backward();
        Assert.Contains(model.Backbone.parameters(), p => p.grad is { } g && g.abs().sum().item<float>() > 0);
        Assert.Contains(model.FcosHead.parameters(), p => p.grad is { } g && g.abs().sum().item<float>() > 0);
        Assert.True(model.RoiHeads.MaskHead.parameters().All(p => p.grad is not null));
    }

    [Fact]
    public void Prediction_gives_cells_in_the_original_frame_with_masks_of_the_original_size()
    {
        torch.manual_seed(1);
        var config = TinyCenterMask.Config with { ScoreThreshold = 0f };
        using var model = new CenterMaskModel(config);
        model.eval();
        using var batch = Batch(config, training: false);
        Assert.Equal((64, 80), batch.ImageSizes[0]);
        var cells = Assert.Single(model.Predict(batch));
        Assert.Equal(config.PostNmsTopK, cells.Count);
        Assert.All(cells, c =>
        {
            Assert.Equal((48, 60), (c.Mask.Height, c.Mask.Width));
            Assert.InRange(c.X1, 0, c.X2);
            Assert.InRange(c.X2, c.X1, 60);
            Assert.InRange(c.Y2, c.Y1, 48);
            Assert.True(float.IsFinite(c.MaskScore));   // score × predicted IoU: an untrained head may predict IoU < 0
            Assert.Equal(0, c.Class);
        });
        Assert.True(cells.Zip(cells.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void Centermask2_name_map_covers_every_parameter_and_buffer_once()
    {
        using var model = new CenterMaskModel(TinyCenterMask.Config);
        var keys = model.state_dict().Keys.ToList();
        var names = model.Centermask2Names();
        Assert.Equal(keys.Order(StringComparer.Ordinal), names.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(names.Count, names.Values.Distinct().Count());
        Assert.Contains("proposal_generator.fcos_head.cls_logits.weight", names.Values);
        Assert.Contains("roi_heads.mask_head.mask_fcn1.weight", names.Values);
        Assert.Contains("roi_heads.maskiou_head.maskiou.weight", names.Values);
        Assert.Contains("backbone.fpn_lateral3.weight", names.Values);
        Assert.Contains("backbone.bottom_up.stem.stem_1/conv.weight", names.Values);
        Assert.All(names.Values, v => Assert.Matches("^(backbone|proposal_generator|roi_heads)\\.", v));
        var map = model.Centermask2Map();
        Assert.All(names, kv => Assert.Equal(kv.Key, map.Map(kv.Value)));
        Assert.Null(map.Map("pixel_mean"));
    }

    [Fact]
    public void Model_file_round_trip_keeps_config_weights_and_predictions()
    {
        torch.manual_seed(4);
        var config = TinyCenterMask.Config with { ScoreThreshold = 0f, PostNmsTopK = 20 };
        using var model = new CenterMaskModel(config);
        model.eval();
        var path = Path.Combine(Path.GetTempPath(), $"cm-{Guid.NewGuid():N}.model");
        try
        {
            CenterMaskModelFile.Save(model, path, new Dictionary<string, string> { ["iterations"] = "0" });
            Assert.Equal(config.Backbone.StageOutChannels, CenterMaskModelFile.ReadHeader(path).Config.Backbone.StageOutChannels);
            using var loaded = CenterMaskModelFile.Load(path);
            Assert.Equal(config.FpnChannels, loaded.Config.FpnChannels);
            Assert.Equal(config.Input.MinSizeTrain, loaded.Config.Input.MinSizeTrain);
            Assert.Equal("0", CenterMaskModelFile.ReadHeader(path).Training!["iterations"]);
            using var batch = Batch(config, training: false);
            var before = model.Predict(batch)[0];
            var after = loaded.Predict(batch)[0];
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i].Score, after[i].Score);
                Assert.Equal(before[i].MaskScore, after[i].MaskScore);
                Assert.Equal(before[i].Mask.ToCompressedString(), after[i].Mask.ToCompressedString());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loading_a_file_that_is_not_a_model_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cm-{Guid.NewGuid():N}.model");
        File.WriteAllText(path, "not a model");
        try
        {
            var e = Assert.Throws<DataFormatException>(() => CenterMaskModelFile.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Throws<DataFormatException>(() => CenterMaskModelFile.Load(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
