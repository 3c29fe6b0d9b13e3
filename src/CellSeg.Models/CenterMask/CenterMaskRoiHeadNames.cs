using TorchSharp;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The explicit map from our RoI-head parameter names to centermask2's checkpoint keys. Our heads register their
/// submodules under centermask2's own names (<c>mask_fcn1</c>, <c>spatialAtt.conv</c>, <c>deconv</c>, <c>predictor</c>;
/// <c>maskiou_fcn1</c>, <c>maskiou_fc1</c>, <c>maskiou_fc2</c>, <c>maskiou</c>), so the map is the module path under
/// <c>roi_heads</c> (<see cref="MaskHeadPrefix"/>, <see cref="MaskIouHeadPrefix"/>) plus the same key.
/// </summary>
/// <remarks>
/// centermask2 names the attention module <c>spatialAtt</c> (sam.py), not "spatialAtn". The pooler and the
/// MaxPool have no parameters, so nothing else of the RoI heads is in a checkpoint.
/// </remarks>
public static class CenterMaskRoiHeadNames
{
    /// <summary>Where centermask2 keeps the SAG-Mask head's tensors.</summary>
    public const string MaskHeadPrefix = "roi_heads.mask_head.";

    /// <summary>Where centermask2 keeps the MaskIoU head's tensors.</summary>
    public const string MaskIouHeadPrefix = "roi_heads.maskiou_head.";

    /// <summary>Our state-dict key → centermask2 key, for every tensor of <paramref name="head"/>.</summary>
    public static IReadOnlyDictionary<string, string> ForMaskHead(SagMaskHead head) => Map(head, MaskHeadPrefix);

    /// <summary>Our state-dict key → centermask2 key, for every tensor of <paramref name="head"/>.</summary>
    public static IReadOnlyDictionary<string, string> ForMaskIouHead(MaskIouHead head) => Map(head, MaskIouHeadPrefix);

    private static Dictionary<string, string> Map(torch.nn.Module head, string prefix)
    {
        ArgumentNullException.ThrowIfNull(head);
        return head.state_dict().Keys.ToDictionary(k => k, k => prefix + k, StringComparer.Ordinal);
    }
}
