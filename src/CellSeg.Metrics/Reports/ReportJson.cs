using System.Globalization;
using System.Text.Json;
using CellSeg.Data.IO;
using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Reports;

/// <summary>
/// Writes an <see cref="EvaluationReport"/> as JSON. The whole-set numbers sit at the top level under
/// the field names of the pycocotools reference files (<c>AP</c>, <c>AP50</c>, <c>AP75</c>, <c>APs</c>,
/// <c>APm</c>, <c>APl</c>, <c>AR</c>, <c>AP_per_iou</c>, <c>recall_per_iou</c>, <c>AFNR</c>), so a
/// release check can compare them directly; per-cell-type rows are under <c>per_cell_type</c>. Each row also holds its
/// precision–recall curves at IoU 0.50 and 0.75 (<c>pr_iou50</c>, <c>pr_iou75</c>: the precision at each of
/// <c>recall_thresholds</c>, mean over categories, all areas, last maxDets; −1 where no category has a value).
/// </summary>
public static class ReportJson
{
    /// <summary>Writes the report atomically.</summary>
    public static Task WriteAsync(EvaluationReport report, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            Write(w, report);
            await w.FlushAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>The report as a JSON string.</summary>
    public static string ToJson(EvaluationReport report)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            Write(w, report);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter w, EvaluationReport report)
    {
        var p = report.Params;
        w.WriteStartObject();
        w.WriteString("gt", report.GroundTruthPath);
        w.WriteString("pred", report.PredictionsPath);
        w.WriteString("iouType", p.IouType == IouType.Segm ? "segm" : "bbox");
        w.WriteString("params", p.Preset);
        w.WriteBoolean("useCats", p.UseCategories);
        w.WriteStartArray("maxDets");
        foreach (var m in p.MaxDetections)
        {
            w.WriteNumberValue(m);
        }

        w.WriteEndArray();
        w.WriteStartArray("areaRng");
        foreach (var a in p.AreaRanges)
        {
            w.WriteStartArray();
            w.WriteNumberValue(a.Min);
            w.WriteNumberValue(a.Max);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        WriteArray(w, "recall_thresholds", p.RecallThresholds);
        if (p.IouType == IouType.Segm)
        {
            w.WriteNumber("semantic_score_threshold", report.SemanticScoreThreshold);
        }

        WriteRow(w, report.Overall, p);
        w.WriteStartObject("per_cell_type");
        foreach (var row in report.PerGroup)
        {
            w.WriteStartObject(row.Name);
            WriteRow(w, row, p);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartArray("skipped_records");
        foreach (var s in report.SkippedRecords)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter w, EvaluationRow row, CocoEvalParams p)
    {
        var s = row.Coco;
        w.WriteNumber("n_images", row.ImageCount);
        w.WriteNumber("n_gt", row.GroundTruthCount);
        w.WriteNumber("n_pred", row.DetectionCount);
        w.WriteNumber("AP", s.AP);
        w.WriteNumber("AP50", s.AP50);
        w.WriteNumber("AP75", s.AP75);
        w.WriteNumber("APs", s.APs);
        w.WriteNumber("APm", s.APm);
        w.WriteNumber("APl", s.APl);
        w.WriteStartObject("AR");
        foreach (var m in p.MaxDetections)
        {
            w.WriteNumber(m.ToString(CultureInfo.InvariantCulture), s.AR[m]);
        }

        w.WriteEndObject();
        w.WriteNumber("ARs", s.ARs);
        w.WriteNumber("ARm", s.ARm);
        w.WriteNumber("ARl", s.ARl);
        WriteArray(w, "AP_per_iou", s.APPerIou);
        WriteArray(w, "recall_per_iou", s.RecallPerIou);
        w.WriteNumber("AFNR", s.AFNR);
        WriteArray(w, "pr_iou50", PrecisionCurve(s, p, 0.5));
        WriteArray(w, "pr_iou75", PrecisionCurve(s, p, 0.75));
        if (row.Semantic is { } sem)
        {
            w.WriteNumber("F1", sem.F1);
            w.WriteNumber("F1_mean_per_image", sem.MeanImageF1);
            w.WriteNumber("precision", sem.Precision);
            w.WriteNumber("recall", sem.Recall);
            w.WriteNumber("IoU", sem.Iou);
        }
    }

    /// <summary>precision[t, :, k, all areas, last maxDets] averaged over the categories with a value, at the IoU threshold <paramref name="iou"/>.</summary>
    internal static double[] PrecisionCurve(CocoEvalSummary s, CocoEvalParams p, double iou)
    {
        var t = -1;
        for (var i = 0; i < p.IouThresholds.Count; i++)
        {
            if (Math.Abs(p.IouThresholds[i] - iou) < 1e-9)
            {
                t = i;
            }
        }

        var precision = s.Precision;
        var curve = new double[precision.GetLength(1)];
        for (var r = 0; r < curve.Length; r++)
        {
            double sum = 0;
            var n = 0;
            for (var k = 0; t >= 0 && k < precision.GetLength(2); k++)
            {
                var v = precision[t, r, k, 0, precision.GetLength(4) - 1];
                if (v > -1)
                {
                    sum += v;
                    n++;
                }
            }

            curve[r] = n == 0 ? -1 : sum / n;
        }

        return curve;
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }
}
