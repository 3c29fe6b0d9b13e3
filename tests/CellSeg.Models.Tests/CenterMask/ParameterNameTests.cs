using CellSeg.Models.CenterMask;

namespace CellSeg.Models.Tests.CenterMask;

public class ParameterNameTests
{
    [Fact]
    public void Lite_model_names_map_one_to_one_onto_the_centermask2_state_dict()
    {
        var config = new CenterMaskConfig();
        using var backbone = config.CreateBackbone();
        using var head = config.CreateFcosHead();
        AssertMapsExactly(backbone, head, "lite_keys");
    }

    [Fact]
    public void Livecell_v99_model_names_map_one_to_one_onto_the_centermask2_state_dict()
    {
        var config = CenterMaskConfig.LivecellV99;
        using var backbone = config.CreateBackbone();
        using var head = config.CreateFcosHead();
        AssertMapsExactly(backbone, head, "v99_keys");
    }

    [Fact]
    public void Fpn_keys_lose_our_fpn_prefix_and_everything_else_is_unchanged()
    {
        Assert.Equal("backbone.fpn_lateral3.weight", CenterMaskParameterNames.ToCentermask2("backbone.fpn.fpn_lateral3.weight"));
        Assert.Equal("backbone.top_block.p6.bias", CenterMaskParameterNames.ToCentermask2("backbone.fpn.top_block.p6.bias"));
        Assert.Equal("backbone.bottom_up.stem.stem_1/conv.weight", CenterMaskParameterNames.ToCentermask2("backbone.bottom_up.stem.stem_1/conv.weight"));
    }

    private static void AssertMapsExactly(CenterMaskBackbone backbone, FcosHead head, string referenceKeys)
    {
        var map = CenterMaskParameterNames.Centermask2Map(backbone, head);
        var ours = backbone.state_dict().Keys.Select(k => CenterMaskParameterNames.BackbonePrefix + k)
            .Concat(head.state_dict().Keys.Select(k => CenterMaskParameterNames.FcosHeadPrefix + k)).ToHashSet();
        // Every parameter and buffer is mapped, and the targets are exactly the PyTorch module tree's keys.
        Assert.Equal(ours.OrderBy(k => k, StringComparer.Ordinal), map.Keys.OrderBy(k => k, StringComparer.Ordinal));
        var expected = CenterMaskReference.Root.GetProperty(referenceKeys).EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var targets = map.Values.ToHashSet();
        Assert.Equal(map.Count, targets.Count);
        Assert.Empty(expected.Except(targets));
        Assert.Empty(targets.Except(expected));
    }
}
