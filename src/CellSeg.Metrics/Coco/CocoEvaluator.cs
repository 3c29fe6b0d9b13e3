using CellSeg.Data.Masks;

namespace CellSeg.Metrics.Coco;

/// <summary>
/// COCO evaluation that reproduces pycocotools' <c>COCOeval.evaluate()</c> and <c>accumulate()</c>
/// exactly: stable score sorts, greedy matching with crowd and ignore rules, detections outside the
/// area range ignored, 101-point interpolated precision, recall at the last detection.
/// </summary>
/// <remarks>
/// Matching is done per image in parallel. Only pairs whose IoU can reach the lowest threshold are
/// kept as match candidates; pycocotools skips the others anyway, so the result is the same while a
/// LIVECell-sized evaluation (460k cells) takes seconds instead of hours.
/// Per-image results do not depend on which other images are evaluated, so one evaluation can be
/// accumulated over any subset of images (e.g. one cell type) without matching again.
/// </remarks>
public sealed class CocoEvaluator
{
    private const double Eps = 2.220446049250313e-16; // np.spacing(1)

    private readonly EvalGroundTruth _gt;
    private readonly CocoEvalParams _params;
    private readonly int[] _imageIndices;
    private readonly int[] _categoryIds;

    /// <summary>[category k][area a][image i] → evaluation or null (no GT and no detections).</summary>
    private readonly ImageEvaluation?[][][] _evalImgs;

    private CocoEvaluator(EvalGroundTruth gt, CocoEvalParams p, int[] imageIndices, int[] categoryIds, ImageEvaluation?[][][] evalImgs)
    {
        _gt = gt;
        _params = p;
        _imageIndices = imageIndices;
        _categoryIds = categoryIds;
        _evalImgs = evalImgs;
    }

    /// <summary>The parameters used.</summary>
    public CocoEvalParams Params => _params;

    /// <summary>Ids of the evaluated images, ascending.</summary>
    public IReadOnlyList<long> ImageIds => _imageIndices.Select(i => _gt.Images[i].Id).ToArray();

    /// <summary>Matches every image's detections to its ground truth (pycocotools' <c>evaluate()</c>).</summary>
    public static CocoEvaluator Evaluate(EvalGroundTruth gt, EvalDetections dt, CocoEvalParams p, IProgress<int>? imagesDone = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(p);
        if (p.MaxDetections.Count == 0 || p.IouThresholds.Count == 0 || p.AreaRanges.Count == 0)
        {
            throw new ArgumentException("maxDets, IoU thresholds and area ranges must not be empty", nameof(p));
        }

        var imageIds = (p.ImageIds ?? gt.Images.Select(i => i.Id)).Distinct().Order().ToArray();
        var imageIndices = imageIds.Select(id => gt.IndexOf(id) is var i and >= 0 ? i : throw new ArgumentException($"image {id} is not in the ground truth")).ToArray();
        var categoryIds = (p.CategoryIds ?? gt.CategoryIds).Distinct().Order().ToArray();
        var groups = p.UseCategories ? categoryIds.Select(c => new[] { c }).ToArray() : [categoryIds];
        var areas = p.AreaRanges.Count;
        var evalImgs = new ImageEvaluation?[groups.Length][][];
        for (var k = 0; k < groups.Length; k++)
        {
            evalImgs[k] = new ImageEvaluation?[areas][];
            for (var a = 0; a < areas; a++)
            {
                evalImgs[k][a] = new ImageEvaluation?[imageIndices.Length];
            }
        }

        var done = 0;
        Parallel.For(0, imageIndices.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var image = imageIndices[i];
            for (var k = 0; k < groups.Length; k++)
            {
                var gts = Select(gt.ObjectsByImage[image], groups[k]);
                var dts = Select(dt.ObjectsByImage[image], groups[k]);
                if (gts.Count == 0 && dts.Count == 0)
                {
                    continue;
                }

                var matcher = new ImageMatcher(gts, dts, p);
                for (var a = 0; a < areas; a++)
                {
                    evalImgs[k][a][i] = matcher.Evaluate(p.AreaRanges[a]);
                }
            }

            var n = Interlocked.Increment(ref done);
            if (n % 64 == 0 || n == imageIndices.Length)
            {
                imagesDone?.Report(n);
            }
        });
        return new CocoEvaluator(gt, p, imageIndices, categoryIds, evalImgs);
    }

    /// <summary>Objects of the given categories, grouped in category order and file order within (as pycocotools concatenates them).</summary>
    private static List<EvalObject> Select(IReadOnlyList<EvalObject> objects, int[] categories)
    {
        var result = new List<EvalObject>(objects.Count);
        foreach (var c in categories)
        {
            foreach (var o in objects)
            {
                if (o.CategoryId == c)
                {
                    result.Add(o);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// pycocotools' <c>accumulate()</c> and the summary numbers, over all evaluated images or the subset
    /// given by id.
    /// </summary>
    public CocoEvalSummary Accumulate(IEnumerable<long>? imageIds = null)
    {
        var positions = imageIds is null
            ? Enumerable.Range(0, _imageIndices.Length).ToArray()
            : PositionsOf(imageIds);
        var p = _params;
        int T = p.IouThresholds.Count, R = p.RecallThresholds.Count, K = _evalImgs.Length, A = p.AreaRanges.Count, M = p.MaxDetections.Count;
        var precision = new double[T, R, K, A, M];
        var recall = new double[T, K, A, M];
        Fill(precision, -1);
        Fill(recall, -1);
        for (var k = 0; k < K; k++)
        {
            for (var a = 0; a < A; a++)
            {
                for (var m = 0; m < M; m++)
                {
                    AccumulateOne(k, a, m, positions, precision, recall);
                }
            }
        }

        return CocoEvalSummary.From(p, precision, recall, positions.Length);
    }

    private int[] PositionsOf(IEnumerable<long> imageIds)
    {
        var wanted = imageIds.ToHashSet();
        var positions = new List<int>();
        for (var i = 0; i < _imageIndices.Length; i++)
        {
            if (wanted.Contains(_gt.Images[_imageIndices[i]].Id))
            {
                positions.Add(i);
            }
        }

        return [.. positions];
    }

    private void AccumulateOne(int k, int a, int m, int[] positions, double[,,,,] precision, double[,,,] recall)
    {
        var p = _params;
        var maxDet = p.MaxDetections[m];
        var evals = new List<ImageEvaluation>(positions.Length);
        foreach (var i in positions)
        {
            if (_evalImgs[k][a][i] is { } e)
            {
                evals.Add(e);
            }
        }

        if (evals.Count == 0)
        {
            return;
        }

        var npig = 0;
        var total = 0;
        foreach (var e in evals)
        {
            npig += e.NonIgnoredGt;
            total += Math.Min(maxDet, e.DtScores.Length);
        }

        if (npig == 0)
        {
            return;
        }

        // Concatenate per-image detections (cut to maxDet) and sort by score, stably, like np.argsort(-s, kind='mergesort').
        var scores = new double[total];
        var owner = new int[total];
        var local = new int[total];
        var n = 0;
        for (var e = 0; e < evals.Count; e++)
        {
            var count = Math.Min(maxDet, evals[e].DtScores.Length);
            for (var d = 0; d < count; d++)
            {
                scores[n] = evals[e].DtScores[d];
                owner[n] = e;
                local[n] = d;
                n++;
            }
        }

        var order = StableOrderByDescending(scores);
        var tp = new double[total];
        var fp = new double[total];
        var rc = new double[total];
        var pr = new double[total];
        var recThrs = p.RecallThresholds;
        for (var t = 0; t < p.IouThresholds.Count; t++)
        {
            double tpSum = 0, fpSum = 0;
            for (var j = 0; j < total; j++)
            {
                var e = evals[owner[order[j]]];
                var d = local[order[j]];
                var ignored = e.DtIgnore[t][d];
                var matched = e.DtMatches[t][d] != 0;
                if (!ignored)
                {
                    if (matched)
                    {
                        tpSum++;
                    }
                    else
                    {
                        fpSum++;
                    }
                }

                tp[j] = tpSum;
                fp[j] = fpSum;
            }

            for (var j = 0; j < total; j++)
            {
                rc[j] = tp[j] / npig;
                pr[j] = tp[j] / (fp[j] + tp[j] + Eps);
            }

            recall[t, k, a, m] = total > 0 ? rc[total - 1] : 0;
            for (var j = total - 1; j > 0; j--)
            {
                if (pr[j] > pr[j - 1])
                {
                    pr[j - 1] = pr[j];
                }
            }

            for (var r = 0; r < recThrs.Count; r++)
            {
                var idx = LowerBound(rc, total, recThrs[r]);
                if (idx >= total)
                {
                    // pycocotools stops filling at the first threshold beyond the reached recall; the rest stay 0.
                    for (var rest = r; rest < recThrs.Count; rest++)
                    {
                        precision[t, rest, k, a, m] = 0;
                    }

                    break;
                }

                precision[t, r, k, a, m] = pr[idx];
            }
        }
    }

    /// <summary>First index whose value is ≥ <paramref name="value"/> (np.searchsorted side='left').</summary>
    private static int LowerBound(double[] sorted, int count, double value)
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Indices ordering the scores high to low; equal scores keep their input order.</summary>
    internal static int[] StableOrderByDescending(double[] scores)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) =>
        {
            var c = scores[y].CompareTo(scores[x]);
            return c != 0 ? c : x.CompareTo(y);
        });
        return order;
    }

    private static void Fill(Array array, double value)
    {
        switch (array)
        {
            case double[,,,,] five:
                foreach (ref var v in System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref five[0, 0, 0, 0, 0], five.Length))
                {
                    v = value;
                }

                break;
            case double[,,,] four:
                foreach (ref var v in System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref four[0, 0, 0, 0], four.Length))
                {
                    v = value;
                }

                break;
        }
    }

    /// <summary>Matches one image's detections to its ground truth for one category group.</summary>
    private sealed class ImageMatcher
    {
        private readonly CocoEvalParams _p;
        private readonly List<EvalObject> _gts;
        private readonly EvalObject[] _dts;

        /// <summary>For each detection (in score order), the ground truths (original index) it may match, with their IoU.</summary>
        private readonly List<(int Gt, double Iou)>[] _candidates;

        public ImageMatcher(List<EvalObject> gts, List<EvalObject> dts, CocoEvalParams p)
        {
            _p = p;
            _gts = gts;
            var sorted = StableOrderByDescending(dts.Select(d => d.Score).ToArray());
            var keep = Math.Min(sorted.Length, p.MaxDetections[^1]);
            _dts = new EvalObject[keep];
            for (var i = 0; i < keep; i++)
            {
                _dts[i] = dts[sorted[i]];
            }

            var minThreshold = p.IouThresholds.Min(t => Math.Min(t, 1 - 1e-10));
            _candidates = new List<(int, double)>[keep];
            var gtBoxes = gts.Select(g => g.Mask is { } mask ? mask.ToBbox() : g.Box).ToArray();
            for (var d = 0; d < keep; d++)
            {
                var dt = _dts[d];
                var dtBox = dt.Mask is { } dm ? dm.ToBbox() : dt.Box;
                var list = new List<(int, double)>(2);
                for (var g = 0; g < gts.Count; g++)
                {
                    var iou = p.IouType == IouType.Segm
                        ? Rle.Iou(dt.Mask!, gts[g].Mask!, dtBox, gtBoxes[g], gts[g].IsCrowd)
                        : BoundingBox.Iou(dt.Box, gts[g].Box, gts[g].IsCrowd);
                    if (iou >= minThreshold)
                    {
                        list.Add((g, iou));
                    }
                }

                _candidates[d] = list;
            }
        }

        public ImageEvaluation Evaluate(AreaRange range)
        {
            var G = _gts.Count;
            var D = _dts.Length;
            var T = _p.IouThresholds.Count;

            // Ground truths sorted stably with the ignored ones last; rank[g] is g's position in that order.
            var ignore = new bool[G];
            var nonIgnored = 0;
            for (var g = 0; g < G; g++)
            {
                var o = _gts[g];
                ignore[g] = o.IsCrowd || o.Area < range.Min || o.Area > range.Max;
                if (!ignore[g])
                {
                    nonIgnored++;
                }
            }

            var rank = new int[G];
            int front = 0, back = nonIgnored;
            for (var g = 0; g < G; g++)
            {
                rank[g] = ignore[g] ? back++ : front++;
            }

            var dtMatches = new long[T][];
            var dtIgnore = new bool[T][];
            var ordered = new (int Rank, int Gt, double Iou)[D][];
            for (var d = 0; d < D; d++)
            {
                var c = _candidates[d];
                var arr = new (int, int, double)[c.Count];
                for (var j = 0; j < c.Count; j++)
                {
                    arr[j] = (rank[c[j].Gt], c[j].Gt, c[j].Iou);
                }

                Array.Sort(arr, (x, y) => x.Item1.CompareTo(y.Item1));
                ordered[d] = arr;
            }

            for (var t = 0; t < T; t++)
            {
                var gtMatched = new bool[G];
                var matches = new long[D];
                var ign = new bool[D];
                for (var d = 0; d < D; d++)
                {
                    var best = -1;
                    var iou = Math.Min(_p.IouThresholds[t], 1 - 1e-10);
                    foreach (var (_, g, value) in ordered[d])
                    {
                        var o = _gts[g];
                        if (gtMatched[g] && !o.IsCrowd)
                        {
                            continue;
                        }

                        if (best > -1 && !ignore[best] && ignore[g])
                        {
                            break;
                        }

                        if (value < iou)
                        {
                            continue;
                        }

                        iou = value;
                        best = g;
                    }

                    if (best == -1)
                    {
                        continue;
                    }

                    ign[d] = ignore[best];
                    matches[d] = _gts[best].Id;
                    gtMatched[best] = true;
                }

                for (var d = 0; d < D; d++)
                {
                    var area = _dts[d].Area;
                    if (matches[d] == 0 && (area < range.Min || area > range.Max))
                    {
                        ign[d] = true;
                    }
                }

                dtMatches[t] = matches;
                dtIgnore[t] = ign;
            }

            return new ImageEvaluation
            {
                DtScores = _dts.Select(d => d.Score).ToArray(),
                DtMatches = dtMatches,
                DtIgnore = dtIgnore,
                NonIgnoredGt = nonIgnored,
            };
        }
    }
}
