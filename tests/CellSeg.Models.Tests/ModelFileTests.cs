using CellSeg.Data;
using CellSeg.Models.Networks;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests;

public class ModelFileTests
{
    [Theory]
    [InlineData(UNetArchitectures.UNet)]
    [InlineData(UNetArchitectures.DeepUNet)]
    [InlineData(UNetArchitectures.DeepUNetEnsemble)]
    public void A_saved_model_loads_without_knowing_its_architecture(string architecture)
    {
        var folder = TestPaths.NewTempFolder();
        var path = Path.Combine(folder, "m.model");
        using var model = SegmentationModel.Create(architecture, new UNetOptions { Depth = 2, BaseChannels = 4, Bilinear = true },
            architecture == UNetArchitectures.DeepUNetEnsemble ? ["BT474", "Huh7"] : null, seed: 9);
        model.Save(path, new Dictionary<string, string> { ["iterations"] = "7" });

        var header = SegmentationModel.ReadHeader(path);
        Assert.Equal(architecture, header.Architecture);
        Assert.Equal("7", header.Training!["iterations"]);
        using var loaded = SegmentationModel.Load(path);
        Assert.Equal(model.Header.Options.LevelChannels, loaded.Header.Options.LevelChannels);
        Assert.Equal(model.Header.CellTypes, loaded.Header.CellTypes);
        Assert.True(UNetArchitectureTests.WeightsEqual(model.Network, loaded.Network));

        model.Network.eval();
        using var noGrad = no_grad();
        using var x = randn(1, 1, 32, 32);
        using var p = model.Probabilities(x, "Huh7");
        using var q = loaded.Probabilities(x, "Huh7");
        Assert.True(p.allclose(q, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_refused_with_its_path()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "not.model");
        File.WriteAllText(path, "{\"hello\": 1}");
        var e = Assert.Throws<DataFormatException>(() => SegmentationModel.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("not a CellSeg model file", e.Message);
    }

    [Fact]
    public void Weights_of_another_shape_are_refused()
    {
        var folder = TestPaths.NewTempFolder();
        var path = Path.Combine(folder, "m.model");
        using (var model = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { Depth = 2, BaseChannels = 4 }))
        {
            model.Save(path);
        }

        // Rewrite the header (same length) to claim a wider network than the weights hold.
        var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path));
        Assert.Contains("\"baseChannels\": 4", text);
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text.Replace("\"baseChannels\": 4", "\"baseChannels\": 6")));
        var e = Assert.Throws<DataFormatException>(() => SegmentationModel.Load(path));
        Assert.Equal("weights", e.Record);
    }
}
