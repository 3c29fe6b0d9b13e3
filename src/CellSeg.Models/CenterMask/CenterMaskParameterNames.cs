namespace CellSeg.Models.CenterMask;

/// <summary>
/// The explicit map from this project's state-dict keys to centermask2/detectron2's, so published
/// PyTorch checkpoints (ImageNet VoVNet, COCO CenterMask-Lite, the LIVECell V-99 oracle) load by name.
/// </summary>
/// <remarks>
/// Our layout: a CenterMask model registers <see cref="CenterMaskBackbone"/> as <c>backbone</c> and
/// <see cref="FcosHead"/> as <c>proposal_generator.fcos_head</c>. VoVNet and FCOS child names are
/// centermask2's verbatim (<c>stem_1/conv</c>, <c>OSA2_1_0/dw_conv3x3</c>, <c>cls_tower.0</c>, …); the only
/// difference is that detectron2's FPN <em>is</em> the backbone, so its convs sit directly under
/// <c>backbone.</c> (<c>backbone.fpn_lateral3.weight</c>), while ours sit under <c>backbone.fpn.</c>.
/// </remarks>
public static class CenterMaskParameterNames
{
    /// <summary>Prefix of the backbone (VoVNet + FPN) in a CenterMask model's state dict.</summary>
    public const string BackbonePrefix = "backbone.";

    /// <summary>Prefix of the FCOS head in a CenterMask model's state dict.</summary>
    public const string FcosHeadPrefix = "proposal_generator.fcos_head.";

    private const string OurFpnPrefix = "backbone.fpn.";

    /// <summary>centermask2's key for one of our full state-dict keys (identity outside the FPN).</summary>
    public static string ToCentermask2(string ourKey)
    {
        ArgumentNullException.ThrowIfNull(ourKey);
        return ourKey.StartsWith(OurFpnPrefix, StringComparison.Ordinal)
            ? BackbonePrefix + ourKey[OurFpnPrefix.Length..]
            : ourKey;
    }

    /// <summary>
    /// Every parameter and buffer of <paramref name="backbone"/> and <paramref name="head"/>, keyed by
    /// our full name, with centermask2's name as the value.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Centermask2Map(CenterMaskBackbone backbone, FcosHead head)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in backbone.state_dict().Keys)
        {
            map[BackbonePrefix + key] = ToCentermask2(BackbonePrefix + key);
        }

        foreach (var key in head.state_dict().Keys)
        {
            map[FcosHeadPrefix + key] = FcosHeadPrefix + key;
        }

        return map;
    }
}
