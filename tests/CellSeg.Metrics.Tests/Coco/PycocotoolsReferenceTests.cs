using System.Text.Json;
using CellSeg.Data.Coco;
using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Tests.Coco;

/// <summary>COCOeval results from pycocotools (../shared/reference) must be reproduced to 1e-9.</summary>
public sealed class PycocotoolsReferenceTests
{
    private const double Tolerance = 1e-9;

    public static TheoryData<string, string> Cases => new()
    {
        { "identity", "livecell" },
        { "identity", "coco_default" },
        { "noisy", "livecell" },
        { "noisy", "coco_default" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Segm_evaluation_matches_pycocotools(string prediction, string settings)
    {
        using var reference = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(TestPaths.Reference, $"ref_{prediction}.json")));
        var expected = reference.RootElement.GetProperty(settings);
        var gtData = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var gt = EvalGroundTruth.FromDataset(gtData, IouType.Segm);
        var results = await CocoReader.LoadDetectionsAsync(Path.Combine(TestPaths.Reference, $"pred_{prediction}.json"), gtData);
        Assert.Equal(reference.RootElement.GetProperty("n_pred").GetInt32(), results.Detections.Count);
        var dt = EvalDetections.Prepare(results, gt, IouType.Segm);
        var p = settings == "livecell" ? CocoEvalParams.Livecell(IouType.Segm) : CocoEvalParams.Coco(IouType.Segm);
        Assert.Equal(expected.GetProperty("maxDets").EnumerateArray().Select(e => e.GetInt32()), p.MaxDetections);

        var summary = CocoEvaluator.Evaluate(gt, dt, p).Accumulate();

        AssertClose(expected, "AP", summary.AP);
        AssertClose(expected, "AP50", summary.AP50);
        AssertClose(expected, "AP75", summary.AP75);
        AssertClose(expected, "APs", summary.APs);
        AssertClose(expected, "APm", summary.APm);
        AssertClose(expected, "APl", summary.APl);
        AssertClose(expected, "AFNR", summary.AFNR);
        foreach (var ar in expected.GetProperty("AR").EnumerateObject())
        {
            Assert.True(Math.Abs(ar.Value.GetDouble() - summary.AR[int.Parse(ar.Name)]) <= Tolerance, $"AR@{ar.Name}: expected {ar.Value.GetDouble()}, got {summary.AR[int.Parse(ar.Name)]}");
        }

        var apPerIou = expected.GetProperty("AP_per_iou").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var recallPerIou = expected.GetProperty("recall_per_iou").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (var t = 0; t < 10; t++)
        {
            Assert.True(Math.Abs(apPerIou[t] - summary.APPerIou[t]) <= Tolerance, $"AP at threshold {t}: expected {apPerIou[t]}, got {summary.APPerIou[t]}");
            Assert.True(Math.Abs(recallPerIou[t] - summary.RecallPerIou[t]) <= Tolerance, $"recall at threshold {t}: expected {recallPerIou[t]}, got {summary.RecallPerIou[t]}");
        }
    }

    private static void AssertClose(JsonElement expected, string field, double actual)
    {
        var e = expected.GetProperty(field).GetDouble();
        Assert.True(Math.Abs(e - actual) <= Tolerance, $"{field}: expected {e:R}, got {actual:R}");
    }
}
