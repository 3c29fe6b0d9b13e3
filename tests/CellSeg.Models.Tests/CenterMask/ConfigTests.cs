using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class ConfigTests
{
    [Fact]
    public void Defaults_are_the_lite_slim_dw_config_with_livecell_normalisation()
    {
        var c = new CenterMaskConfig();
        Assert.Same(VoVNetSpec.V19SlimDwEse, c.Backbone);
        Assert.Equal((128, 2, 0.6f, 50), (c.FpnChannels, c.FcosTowerConvs, c.NmsThreshold, c.PostNmsTopK));
        Assert.Equal(new[] { 580, 600 }, c.Input.MinSizeTrain);
        Assert.Equal((128f, 11.578f, 32), (c.Input.PixelMean, c.Input.PixelStd, c.Input.SizeDivisibility));
    }

    [Fact]
    public void Livecell_v99_preset_keeps_thousands_of_detections()
    {
        var c = CenterMaskConfig.LivecellV99;
        Assert.Same(VoVNetSpec.V99Ese, c.Backbone);
        Assert.Equal((256, 4), (c.FpnChannels, c.FcosTowerConvs));
        Assert.Equal((2000, 4000, 15000, 3000), (c.PreNmsTopKTrain, c.PreNmsTopK, c.PostNmsTopKTrain, c.PostNmsTopK));
        Assert.Equal((800, 1333, 1333), (c.Input.MinSizeTest, c.Input.MaxSizeTest, c.Input.MaxSizeTrain));
        var train = c.CreatePostProcessor(training: true);
        Assert.Equal((2000, 15000), (train.PreNmsTopK, train.PostNmsTopK));
    }

    [Fact]
    public void Detections_scale_back_to_the_original_image()
    {
        using var d = new Detections(tensor(new float[] { 10, 20, 60, 40 }).reshape(1, 4), ones(1), zeros(1, dtype: ScalarType.Int64), zeros(1, dtype: ScalarType.Int64), 60, 80);
        using var original = d.BoxesScaledTo(30, 40);
        Assert.Equal(new float[] { 5, 10, 30, 20 }, original.data<float>().ToArray());
    }
}
