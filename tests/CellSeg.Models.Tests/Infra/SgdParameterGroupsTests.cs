using CellSeg.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.Infra;

public class SgdParameterGroupsTests
{
    private static nn.Module<Tensor, Tensor> SmallNet() => nn.Sequential(
        ("conv", nn.Conv2d(2, 4, 3, padding: 1)),
        ("gn", nn.GroupNorm(2, 4)),
        ("bn", nn.BatchNorm2d(4)),
        ("head", nn.Conv2d(4, 1, 1)));

    [Fact]
    public void Norm_weights_and_biases_go_to_the_group_without_decay()
    {
        using var net = SmallNet();
        var (decayed, notDecayed) = SgdParameterGroups.Split(net);
        Assert.Equal(["conv.weight", "conv.bias", "head.weight", "head.bias"], decayed.Select(p => p.Name).ToArray());
        Assert.Equal(["gn.weight", "gn.bias", "bn.weight", "bn.bias"], notDecayed.Select(p => p.Name).ToArray());
    }

    [Fact]
    public void Frozen_parameters_are_left_out()
    {
        using var net = SmallNet();
        foreach (var (name, p) in net.named_parameters())
        {
            if (name.StartsWith("conv.", StringComparison.Ordinal))
            {
                p.requires_grad = false;
            }
        }

        var (decayed, _) = SgdParameterGroups.Split(net);
        Assert.DoesNotContain(decayed, p => p.Name.StartsWith("conv.", StringComparison.Ordinal));
    }

    [Fact]
    public void One_step_with_zero_gradient_decays_conv_weights_and_leaves_norm_parameters_alone()
    {
        torch.manual_seed(3);
        using var net = SmallNet();
        using var sgd = SgdParameterGroups.CreateSgd(net, learningRate: 0.5, momentum: 0.9, weightDecay: 0.1);
        var before = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        foreach (var (_, p) in net.named_parameters())
        {
            p.grad = torch.zeros_like(p);   // a real gradient of zero: SGD skips parameters whose grad is null
        }

        sgd.step();
        var after = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());

        // SGD: p ← p − lr·(g + wd·p) = p·(1 − 0.05) on the first step (momentum buffer = that gradient).
        foreach (var name in new[] { "conv.weight", "conv.bias", "head.weight" })
        {
            Assert.True(torch.allclose(before[name] * 0.95, after[name], rtol: 1e-6, atol: 1e-7), name);
        }

        foreach (var name in new[] { "gn.weight", "gn.bias", "bn.weight", "bn.bias" })
        {
            Assert.True(Tensors.Same(before[name], after[name]), name);
        }
    }
}
