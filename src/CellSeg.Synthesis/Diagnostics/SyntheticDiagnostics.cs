namespace CellSeg.Synthesis.Diagnostics;

/// <summary>Settings of <see cref="SyntheticDiagnostics"/>; the defaults suit LIVECell's 704×520 phase-contrast images.</summary>
public sealed record DiagnosticsOptions
{
    /// <summary>The halo profile runs this many pixels inside and outside the cell boundary.</summary>
    public int HaloRadius { get; init; } = 10;

    /// <summary>Background statistics use pixels at least this far from every cell (past the halo).</summary>
    public int FarBackground { get; init; } = 6;

    /// <summary>Crops kept per cell type and source for the report page.</summary>
    public int CropsPerSource { get; init; } = 3;

    /// <summary>Side of those crops in pixels.</summary>
    public int CropSize { get; init; } = 192;

    /// <summary>Checks the values; the message names the option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (HaloRadius is < 1 or > 64 || FarBackground is < 1 or > 64 || CropsPerSource is < 0 or > 16 || CropSize is < 8 or > 1024)
        {
            throw new ArgumentException($"diagnostics options out of range: haloRadius {HaloRadius} (1..64), farBackground {FarBackground} (1..64), cropsPerSource {CropsPerSource} (0..16), cropSize {CropSize} (8..1024)");
        }
    }
}

/// <summary>
/// Compares real and synthetic images per cell type, to find what makes synthetic images teach a network
/// something false: intensity histograms (and the distance between them), background texture (local
/// standard deviation, gradient energy, seams of 8×8 tiles), the halo profile across cell boundaries, edge
/// sharpness, density (cells per image, coverage) and the share of training crops the sampler draws from
/// synthetic images. Pure: the same images give the same report.
/// </summary>
public static class SyntheticDiagnostics
{
    /// <summary>Measures every image and compares the two groups per cell type.</summary>
    /// <param name="real">Real images.</param>
    /// <param name="synthetic">Synthetic images.</param>
    /// <param name="syntheticFraction">The share of training crops asked to come from synthetic images (the sampler's setting); null: images drawn uniformly.</param>
    /// <param name="options">Settings; null takes the defaults.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <exception cref="ArgumentException">Bad options or a fraction outside [0, 1].</exception>
    public static DiagnosticsReport Compare(IReadOnlyList<DiagnosticImage> real, IReadOnlyList<DiagnosticImage> synthetic, double? syntheticFraction = null, DiagnosticsOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(synthetic);
        options ??= new DiagnosticsOptions();
        options.Validate();
        if (syntheticFraction is < 0 or > 1 || (syntheticFraction is { } f && double.IsNaN(f)))
        {
            throw new ArgumentException($"syntheticFraction must be in [0, 1], was {syntheticFraction}", nameof(syntheticFraction));
        }

        var groups = new SortedDictionary<string, (Accumulator Real, Accumulator Synthetic)>(StringComparer.Ordinal);
        foreach (var (images, isReal) in new[] { (real, true), (synthetic, false) })
        {
            foreach (var image in images)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!groups.TryGetValue(image.CellType, out var pair))
                {
                    groups[image.CellType] = pair = (new Accumulator(options), new Accumulator(options));
                }

                (isReal ? pair.Real : pair.Synthetic).Add(image);
            }
        }

        var totalShare = CropShare(real.Count, synthetic.Count, real.Count, synthetic.Count, syntheticFraction);
        var types = new List<CellTypeDiagnostics>();
        foreach (var (type, (r, s)) in groups)
        {
            var rs = r.Finish();
            var ss = s.Finish();
            types.Add(new CellTypeDiagnostics(type, rs, ss,
                EarthMover(rs.Histogram, ss.Histogram), EarthMover(rs.CellHistogram, ss.CellHistogram), EarthMover(rs.BackgroundHistogram, ss.BackgroundHistogram),
                ProfileDistance(rs.HaloProfile, ss.HaloProfile), CropShare(r.Images, s.Images, real.Count, synthetic.Count, syntheticFraction)));
        }

        return new DiagnosticsReport(options.HaloRadius, options.FarBackground, syntheticFraction, totalShare, types);
    }

    /// <summary>
    /// The share of crops drawn from synthetic images among the crops of one group (a cell type, or all):
    /// with no fraction the sampler draws images uniformly, so it is the synthetic share of the images; with
    /// fraction f, a crop is synthetic with chance f and then drawn uniformly among synthetic images (real: 1 − f).
    /// </summary>
    public static double CropShare(int realInGroup, int syntheticInGroup, int realTotal, int syntheticTotal, double? syntheticFraction)
    {
        if (realTotal + syntheticTotal == 0)
        {
            return 0;
        }

        if (syntheticFraction is not { } f || realTotal == 0 || syntheticTotal == 0)
        {
            return realInGroup + syntheticInGroup == 0 ? 0 : (double)syntheticInGroup / (realInGroup + syntheticInGroup);
        }

        var fromSynthetic = f * syntheticInGroup / syntheticTotal;
        var fromReal = (1 - f) * realInGroup / realTotal;
        return fromSynthetic + fromReal == 0 ? 0 : fromSynthetic / (fromSynthetic + fromReal);
    }

    /// <summary>Wasserstein-1 distance of two normalised 256-bin histograms, in gray levels (0 when either is empty).</summary>
    public static double EarthMover(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Sum() == 0 || b.Sum() == 0)
        {
            return 0;
        }

        double ca = 0, cb = 0, distance = 0;
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            ca += a[i];
            cb += b[i];
            distance += Math.Abs(ca - cb);
        }

        return distance;
    }

    private static double ProfileDistance(IReadOnlyList<double?> a, IReadOnlyList<double?> b)
    {
        double sum = 0;
        var n = 0;
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            if (a[i] is { } x && b[i] is { } y)
            {
                sum += (x - y) * (x - y);
                n++;
            }
        }

        return n == 0 ? 0 : Math.Sqrt(sum / n);
    }

    /// <summary>Sums over the images of one group.</summary>
    private sealed class Accumulator(DiagnosticsOptions options)
    {
        private readonly long[] _all = new long[256];
        private readonly long[] _cell = new long[256];
        private readonly long[] _background = new long[256];
        private readonly double[] _haloSum = new double[2 * options.HaloRadius];
        private readonly long[] _haloCount = new long[2 * options.HaloRadius];
        private readonly List<int> _cells = [];
        private readonly List<DiagnosticCrop> _crops = [];
        private double _coverage;
        private double _localStdSum;
        private long _localStdCount;
        private double _gradientSum;
        private long _gradientCount;
        private double _seamSum, _innerSum;
        private long _seamCount, _innerCount;
        private double _edgeSum;
        private long _edgeCount;

        public int Images => _cells.Count;

        public void Add(DiagnosticImage image)
        {
            int w = image.Width, h = image.Height, r = options.HaloRadius, far = options.FarBackground;
            var p = image.Pixels;
            var d = BoundaryDistance.Signed(image.Labels, w, h, Math.Max(r, far + 3));
            var cellPixels = 0;
            var backgroundValues = new List<byte>();
            for (var i = 0; i < p.Length; i++)
            {
                _all[p[i]]++;
                if (d[i] < 0)
                {
                    _cell[p[i]]++;
                    cellPixels++;
                }
                else if (d[i] >= far)
                {
                    _background[p[i]]++;
                    backgroundValues.Add(p[i]);
                }
            }

            // The halo is measured against the image's own background level, so illumination differences between images cancel.
            var level = Median(backgroundValues.Count > 0 ? backgroundValues : [.. p]);
            for (var y = 1; y < h - 1; y++)
            {
                for (var x = 1; x < w - 1; x++)
                {
                    var i = y * w + x;
                    var di = d[i];
                    if (di >= -r && di <= r)
                    {
                        var bin = di < 0 ? di + r : di + r - 1;
                        _haloSum[bin] += p[i] - level;
                        _haloCount[bin]++;
                    }

                    double gx = (p[i + 1] - p[i - 1]) / 2.0, gy = (p[i + w] - p[i - w]) / 2.0;
                    if (di is -1 or 1)
                    {
                        _edgeSum += Math.Sqrt(gx * gx + gy * gy);
                        _edgeCount++;
                    }

                    if (di >= far)
                    {
                        _gradientSum += gx * gx + gy * gy;
                        _gradientCount++;
                        if (d[i + 1] >= far)
                        {
                            var diff = (double)(p[i + 1] - p[i]);
                            if (x % BackgroundBuilder.Block == BackgroundBuilder.Block - 1)
                            {
                                _seamSum += diff * diff;
                                _seamCount++;
                            }
                            else
                            {
                                _innerSum += diff * diff;
                                _innerCount++;
                            }
                        }
                    }
                }
            }

            LocalStd(p, d, w, h, far);
            _cells.Add(image.Cells);
            _coverage += (double)cellPixels / p.Length;
            if (_crops.Count < options.CropsPerSource)
            {
                _crops.Add(Crop(image));
            }
        }

        public SourceStatistics Finish()
        {
            var (cellMean, cellStd) = Moments(_cell);
            var (bgMean, bgStd) = Moments(_background);
            var halo = new double?[_haloSum.Length];
            for (var i = 0; i < halo.Length; i++)
            {
                halo[i] = _haloCount[i] > 0 ? _haloSum[i] / _haloCount[i] : null;
            }

            var inner = _innerCount > 0 ? _innerSum / _innerCount : 0;
            return new SourceStatistics(
                Images, Images > 0 ? _cells.Average() : 0, Images > 0 ? _cells.Min() : 0, Images > 0 ? _cells.Max() : 0, Images > 0 ? _coverage / Images : 0,
                cellMean, cellStd, bgMean, bgStd,
                _localStdCount > 0 ? _localStdSum / _localStdCount : 0,
                _gradientCount > 0 ? _gradientSum / _gradientCount : 0,
                inner > 0 && _seamCount > 0 ? _seamSum / _seamCount / inner : 0,
                _edgeCount > 0 ? _edgeSum / _edgeCount : 0,
                halo, Normalise(_all), Normalise(_cell), Normalise(_background))
            {
                Crops = [.. _crops],
            };
        }

        /// <summary>Standard deviation in 5×5 windows whose pixels are all at least far − 2 from a cell, sampled on every second pixel.</summary>
        private void LocalStd(byte[] p, int[] d, int w, int h, int far)
        {
            for (var y = 2; y < h - 2; y += 2)
            {
                for (var x = 2; x < w - 2; x += 2)
                {
                    if (d[y * w + x] < far + 2)
                    {
                        continue;
                    }

                    double s = 0, s2 = 0;
                    for (var yy = y - 2; yy <= y + 2; yy++)
                    {
                        for (var xx = x - 2; xx <= x + 2; xx++)
                        {
                            double v = p[yy * w + xx];
                            s += v;
                            s2 += v * v;
                        }
                    }

                    var mean = s / 25;
                    _localStdSum += Math.Sqrt(Math.Max(0, s2 / 25 - mean * mean));
                    _localStdCount++;
                }
            }
        }

        private DiagnosticCrop Crop(DiagnosticImage image)
        {
            var size = Math.Min(options.CropSize, Math.Min(image.Width, image.Height));
            int x0 = (image.Width - size) / 2, y0 = (image.Height - size) / 2;
            var pixels = new byte[size * size];
            for (var y = 0; y < size; y++)
            {
                Array.Copy(image.Pixels, (y0 + y) * image.Width + x0, pixels, y * size, size);
            }

            return new DiagnosticCrop(image.FileName, x0, y0, size, pixels);
        }

        private static double Median(IReadOnlyList<byte> values)
        {
            var counts = new long[256];
            foreach (var v in values)
            {
                counts[v]++;
            }

            long seen = 0;
            for (var i = 0; i < 256; i++)
            {
                seen += counts[i];
                if (2 * seen >= values.Count)
                {
                    return i;
                }
            }

            return 128;
        }

        private static (double Mean, double Std) Moments(long[] histogram)
        {
            double n = 0, s = 0, s2 = 0;
            for (var i = 0; i < histogram.Length; i++)
            {
                n += histogram[i];
                s += (double)i * histogram[i];
                s2 += (double)i * i * histogram[i];
            }

            if (n == 0)
            {
                return (0, 0);
            }

            var mean = s / n;
            return (mean, Math.Sqrt(Math.Max(0, s2 / n - mean * mean)));
        }

        private static double[] Normalise(long[] histogram)
        {
            var total = (double)histogram.Sum();
            return [.. histogram.Select(c => total > 0 ? c / total : 0)];
        }
    }
}
