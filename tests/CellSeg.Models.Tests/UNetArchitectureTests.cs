using CellSeg.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests;

public class UNetArchitectureTests
{
    // Hand count of milesial's parts: a double conv has two bias-free 3×3 convolutions and two batch
    // norms (weight + bias each); a transposed up conv is 2×2 with bias; the head is 1×1 with bias.
    private static long DoubleConv(long cin, long cout, long? mid = null)
    {
        var m = mid ?? cout;
        return 9 * cin * m + 2 * m + 9 * m * cout + 2 * cout;
    }

    private static long Expected(UNetOptions o)
    {
        var c = o.LevelChannels;
        var levels = c.Count - 1;
        var total = DoubleConv(o.InChannels, c[0]);
        for (var i = 1; i <= levels; i++)
        {
            total += DoubleConv(c[i - 1], o.Bilinear && i == levels ? c[i - 1] : c[i]);
        }

        for (var i = levels; i >= 1; i--)
        {
            if (o.Bilinear)
            {
                var concatenated = 2L * c[i - 1];
                total += DoubleConv(concatenated, i >= 2 ? c[i - 2] : c[0], concatenated / 2);
            }
            else
            {
                total += 4L * c[i] * c[i - 1] + c[i - 1] + DoubleConv(2L * c[i - 1], c[i - 1]);
            }
        }

        return total + c[0] * o.Classes + o.Classes;
    }

    [Theory]
    [InlineData(UNetArchitectures.UNet, 3, 2, false, 31_037_698L)]
    [InlineData(UNetArchitectures.UNet, 3, 2, true, 17_263_042L)]
    [InlineData(UNetArchitectures.UNet, 1, 1, false, 31_036_481L)]
    [InlineData(UNetArchitectures.DeepUNet, 1, 1, false, 82_425_921L)]
    public void Paper_sized_networks_have_the_pytorch_parameter_count(string variant, int inChannels, int classes, bool bilinear, long pytorch)
    {
        // The PyTorch counts come from the same architecture written with torch.nn
        // (/usr/bin/python3 bench/pytorch/unet_bench.py --count); 31,037,698 is milesial's UNet(n_channels=3, n_classes=2).
        var options = UNetArchitectures.OptionsFor(variant, new UNetOptions { InChannels = inChannels, Classes = classes, Bilinear = bilinear });
        using var net = new UNet(options);
        Assert.Equal(Expected(options), net.ParameterCount);
        Assert.Equal(pytorch, net.ParameterCount);
    }

    [Fact]
    public void Paper_sized_ensemble_member_matches_the_hand_count()
    {
        // 175,762,497 in PyTorch (unet_bench.py --count); checked by formula only, to keep the test light.
        Assert.Equal(175_762_497L, Expected(UNetArchitectures.OptionsFor(UNetArchitectures.DeepUNetEnsemble)));
    }

    [Theory]
    [InlineData(UNetArchitectures.UNet, false)]
    [InlineData(UNetArchitectures.UNet, true)]
    [InlineData(UNetArchitectures.DeepUNet, false)]
    [InlineData(UNetArchitectures.DeepUNet, true)]
    [InlineData(UNetArchitectures.DeepUNetEnsemble, false)]
    public void Every_variant_keeps_the_input_size_and_matches_the_hand_count(string variant, bool bilinear)
    {
        var options = UNetArchitectures.OptionsFor(variant, new UNetOptions { Depth = 2, BaseChannels = 4, Bilinear = bilinear });
        using var net = new UNet(options);
        Assert.Equal(Expected(options), net.ParameterCount);

        // A side that is not a multiple of 2^depth goes through the up levels' padding.
        using var input = randn(2, 1, 48, 40);
        using var output = net.forward(input);
        Assert.Equal(new long[] { 2, 1, 48, 40 }, output.shape);
        using var odd = randn(1, 1, 37, 29);
        using var oddOutput = net.forward(odd);
        Assert.Equal(new long[] { 1, 1, 37, 29 }, oddOutput.shape);
    }

    [Fact]
    public void Deep_variants_add_levels_as_wide_as_the_paper_says()
    {
        Assert.Equal([64, 128, 256, 512, 1024], UNetArchitectures.OptionsFor(UNetArchitectures.UNet).LevelChannels);
        Assert.Equal([64, 128, 256, 512, 1024, 1024], UNetArchitectures.OptionsFor(UNetArchitectures.DeepUNet).LevelChannels);
        Assert.Equal([64, 128, 256, 512, 1024, 1024, 2048], UNetArchitectures.OptionsFor(UNetArchitectures.DeepUNetEnsemble).LevelChannels);
        Assert.Equal(6, UNetArchitectures.OptionsFor(UNetArchitectures.DeepUNetEnsemble).TotalDepth);
    }

    [Fact]
    public void Ensemble_routes_by_cell_type_and_averages_members_otherwise()
    {
        using var model = SegmentationModel.Create(UNetArchitectures.DeepUNetEnsemble, new UNetOptions { Depth = 1, BaseChannels = 2 }, ["A172", "MCF7"], seed: 3);
        var ensemble = Assert.IsType<UNetEnsemble>(model.Network);
        Assert.Equal(2 * new UNet(ensemble.MemberOptions).ParameterCount, model.ParameterCount);
        model.Network.eval();
        using var noGrad = no_grad();
        using var x = randn(1, 1, 16, 16);
        using var a = sigmoid(ensemble.Member("A172").forward(x));
        using var m = sigmoid(ensemble.Member("MCF7").forward(x));
        using var routed = model.Probabilities(x, "MCF7");
        using var averaged = model.Probabilities(x, null);
        using var unknown = model.Probabilities(x, "SKOV3");
        Assert.True(routed.allclose(m));
        Assert.True(averaged.allclose((a + m) / 2, rtol: 1e-5, atol: 1e-6));
        Assert.True(unknown.allclose(averaged));
        Assert.False(a.allclose(m));
    }

    [Fact]
    public void Equal_seeds_give_equal_initial_weights()
    {
        using var a = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { Depth = 2, BaseChannels = 4 }, seed: 5);
        using var b = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { Depth = 2, BaseChannels = 4 }, seed: 5);
        using var c = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { Depth = 2, BaseChannels = 4 }, seed: 6);
        Assert.True(WeightsEqual(a.Network, b.Network));
        Assert.False(WeightsEqual(a.Network, c.Network));
    }

    internal static bool WeightsEqual(nn.Module a, nn.Module b, double tolerance = 0)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        return sa.Count == sb.Count && sa.All(kv => sb.TryGetValue(kv.Key, out var other)
            && kv.Value.allclose(other, rtol: tolerance, atol: tolerance));
    }
}
