namespace CellSeg.Metrics.Coco;

/// <summary>
/// The numbers of one COCO evaluation, named as in pycocotools' summary and the LIVECell reports.
/// AP, AP50, AP75, APs/m/l and AFNR are read at the last (largest) maxDets; −1 means "no ground truth
/// in that bucket", as pycocotools prints it.
/// </summary>
public sealed record CocoEvalSummary
{
    /// <summary>Mean precision over IoU 0.50:0.05:0.95, all areas.</summary>
    public double AP { get; init; }

    /// <summary>Precision at IoU 0.50.</summary>
    public double AP50 { get; init; }

    /// <summary>Precision at IoU 0.75.</summary>
    public double AP75 { get; init; }

    /// <summary>AP of small objects.</summary>
    public double APs { get; init; }

    /// <summary>AP of medium objects.</summary>
    public double APm { get; init; }

    /// <summary>AP of large objects.</summary>
    public double APl { get; init; }

    /// <summary>Mean recall over IoU thresholds, all areas, at each maxDets (key: the maxDets value).</summary>
    public required IReadOnlyDictionary<int, double> AR { get; init; }

    /// <summary>AR of small objects at the last maxDets.</summary>
    public double ARs { get; init; }

    /// <summary>AR of medium objects at the last maxDets.</summary>
    public double ARm { get; init; }

    /// <summary>AR of large objects at the last maxDets.</summary>
    public double ARl { get; init; }

    /// <summary>Mean precision at each IoU threshold (all areas, last maxDets).</summary>
    public required IReadOnlyList<double> APPerIou { get; init; }

    /// <summary>Recall at each IoU threshold (all areas, last maxDets).</summary>
    public required IReadOnlyList<double> RecallPerIou { get; init; }

    /// <summary>
    /// Average false-negative ratio, the paper's equation 4: the mean over the IoU thresholds
    /// 0.50:0.05:0.95 of (1 − recall), at all areas and the last maxDets.
    /// </summary>
    public double AFNR { get; init; }

    /// <summary>Images accumulated.</summary>
    public int ImageCount { get; init; }

    /// <summary>The full precision array [T, R, K, A, M], as pycocotools' <c>eval['precision']</c>.</summary>
    public required double[,,,,] Precision { get; init; }

    /// <summary>The full recall array [T, K, A, M], as pycocotools' <c>eval['recall']</c>.</summary>
    public required double[,,,] Recall { get; init; }

    internal static CocoEvalSummary From(CocoEvalParams p, double[,,,,] precision, double[,,,] recall, int imageCount)
    {
        var last = p.MaxDetections.Count - 1;
        var T = p.IouThresholds.Count;
        double Ap(int? t, int a) => MeanValid(Enumerate(precision, t, a, last));
        double Ar(int? t, int a, int m) => MeanValid(EnumerateRecall(recall, t, a, m));
        int? ThresholdIndex(double value)
        {
            for (var i = 0; i < T; i++)
            {
                if (p.IouThresholds[i] == value)
                {
                    return i;
                }
            }

            return -1;
        }

        var ar = new Dictionary<int, double>();
        for (var m = 0; m < p.MaxDetections.Count; m++)
        {
            ar[p.MaxDetections[m]] = Ar(null, 0, m);
        }

        var apPerIou = Enumerable.Range(0, T).Select(t => Ap(t, 0)).ToArray();
        var recallPerIou = Enumerable.Range(0, T).Select(t => Ar(t, 0, last)).ToArray();
        double Bucket(Func<int, double> f, int a) => a < p.AreaRanges.Count ? f(a) : -1;
        return new CocoEvalSummary
        {
            AP = Ap(null, 0),
            AP50 = Ap(ThresholdIndex(0.5), 0),
            AP75 = Ap(ThresholdIndex(0.75), 0),
            APs = Bucket(a => Ap(null, a), 1),
            APm = Bucket(a => Ap(null, a), 2),
            APl = Bucket(a => Ap(null, a), 3),
            AR = ar,
            ARs = Bucket(a => Ar(null, a, last), 1),
            ARm = Bucket(a => Ar(null, a, last), 2),
            ARl = Bucket(a => Ar(null, a, last), 3),
            APPerIou = apPerIou,
            RecallPerIou = recallPerIou,
            AFNR = recallPerIou.Any(r => r < 0) ? -1 : recallPerIou.Average(r => 1 - r),
            ImageCount = imageCount,
            Precision = precision,
            Recall = recall,
        };
    }

    /// <summary>precision[t, :, :, a, m] in C order (t = null: all thresholds; t = −1: none).</summary>
    private static IEnumerable<double> Enumerate(double[,,,,] precision, int? t, int a, int m)
    {
        if (t == -1)
        {
            yield break;
        }

        int t0 = t ?? 0, t1 = t is null ? precision.GetLength(0) : t.Value + 1;
        for (var ti = t0; ti < t1; ti++)
        {
            for (var r = 0; r < precision.GetLength(1); r++)
            {
                for (var k = 0; k < precision.GetLength(2); k++)
                {
                    yield return precision[ti, r, k, a, m];
                }
            }
        }
    }

    private static IEnumerable<double> EnumerateRecall(double[,,,] recall, int? t, int a, int m)
    {
        int t0 = t ?? 0, t1 = t is null ? recall.GetLength(0) : t.Value + 1;
        for (var ti = t0; ti < t1; ti++)
        {
            for (var k = 0; k < recall.GetLength(1); k++)
            {
                yield return recall[ti, k, a, m];
            }
        }
    }

    /// <summary>np.mean(s[s &gt; -1]), or −1 when nothing is valid; summed pairwise like numpy.</summary>
    private static double MeanValid(IEnumerable<double> values)
    {
        var valid = values.Where(v => v > -1).ToArray();
        return valid.Length == 0 ? -1 : PairwiseSum(valid, 0, valid.Length) / valid.Length;
    }

    /// <summary>numpy's pairwise summation (blocks of 8 partial sums below 128 elements), so means agree to the last bit where possible.</summary>
    internal static double PairwiseSum(double[] a, int start, int n)
    {
        if (n < 8)
        {
            var res = 0.0;
            for (var i = 0; i < n; i++)
            {
                res += a[start + i];
            }

            return res;
        }

        if (n <= 128)
        {
            var r = new double[8];
            for (var j = 0; j < 8; j++)
            {
                r[j] = a[start + j];
            }

            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (var j = 0; j < 8; j++)
                {
                    r[j] += a[start + i + j];
                }
            }

            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += a[start + i];
            }

            return res;
        }

        var n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a, start, n2) + PairwiseSum(a, start + n2, n - n2);
    }
}
