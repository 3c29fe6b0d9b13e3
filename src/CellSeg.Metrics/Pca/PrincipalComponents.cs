using MathNet.Numerics.LinearAlgebra;

namespace CellSeg.Metrics.Pca;

/// <summary>
/// Principal component analysis of row vectors (one row per sample), through the thin SVD of the
/// centred data matrix (MathNet.Numerics). Components are ordered by explained variance; each
/// component's sign is fixed so that its largest-magnitude loading is positive, so the same data
/// always gives the same picture.
/// </summary>
public sealed class PrincipalComponents
{
    private PrincipalComponents(double[] mean, double[] scale, double[][] components, double[] explainedVariance, double totalVariance)
    {
        Mean = mean;
        Scale = scale;
        Components = components;
        ExplainedVariance = explainedVariance;
        TotalVariance = totalVariance;
    }

    /// <summary>The mean of each feature over the fitted samples.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>What each centred feature was divided by (its standard deviation when standardised, else 1).</summary>
    public IReadOnlyList<double> Scale { get; }

    /// <summary>The components (unit vectors in feature space), largest variance first.</summary>
    public IReadOnlyList<double[]> Components { get; }

    /// <summary>Variance along each component (sample variance, n − 1 in the denominator).</summary>
    public IReadOnlyList<double> ExplainedVariance { get; }

    /// <summary>Total variance of the (scaled) features.</summary>
    public double TotalVariance { get; }

    /// <summary>Fraction of the total variance along each component.</summary>
    public IReadOnlyList<double> ExplainedVarianceRatio => ExplainedVariance.Select(v => TotalVariance > 0 ? v / TotalVariance : 0).ToArray();

    /// <summary>Fits <paramref name="components"/> components to the rows of <paramref name="samples"/>.</summary>
    /// <param name="samples">One feature vector per sample, all of one length.</param>
    /// <param name="components">How many components to keep (at most min(samples, features)).</param>
    /// <param name="standardise">Divide every feature by its standard deviation first (for features in different units); constant features are left at 0.</param>
    /// <exception cref="ArgumentException">Fewer than two samples, rows of different lengths, or a non-finite value.</exception>
    public static PrincipalComponents Fit(IReadOnlyList<double[]> samples, int components = 2, bool standardise = false)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 2)
        {
            throw new ArgumentException($"PCA needs at least 2 samples, got {samples.Count}", nameof(samples));
        }

        var features = samples[0].Length;
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].Length != features)
            {
                throw new ArgumentException($"sample {i} has {samples[i].Length} features, sample 0 has {features}", nameof(samples));
            }

            if (samples[i].Any(v => !double.IsFinite(v)))
            {
                throw new ArgumentException($"sample {i} holds a value that is not a finite number", nameof(samples));
            }
        }

        var n = samples.Count;
        var mean = new double[features];
        foreach (var row in samples)
        {
            for (var j = 0; j < features; j++)
            {
                mean[j] += row[j] / n;
            }
        }

        var scale = Enumerable.Repeat(1.0, features).ToArray();
        if (standardise)
        {
            for (var j = 0; j < features; j++)
            {
                var variance = samples.Sum(r => (r[j] - mean[j]) * (r[j] - mean[j])) / (n - 1);
                scale[j] = variance > 1e-24 ? Math.Sqrt(variance) : 1;
            }
        }

        var x = Matrix<double>.Build.Dense(n, features, (i, j) => (samples[i][j] - mean[j]) / scale[j]);
        var total = 0.0;
        foreach (var v in x.Enumerate())
        {
            total += v * v;
        }

        total /= n - 1;
        var keep = Math.Clamp(components, 1, Math.Min(n, features));
        var svd = x.Svd(computeVectors: true);
        var result = new double[keep][];
        var explained = new double[keep];
        for (var k = 0; k < keep; k++)
        {
            var v = svd.VT.Row(k).ToArray();
            var largest = v.MaxBy(Math.Abs);
            if (largest < 0)
            {
                for (var j = 0; j < v.Length; j++)
                {
                    v[j] = -v[j];
                }
            }

            result[k] = v;
            var s = k < svd.S.Count ? svd.S[k] : 0;
            explained[k] = s * s / (n - 1);
        }

        return new PrincipalComponents(mean, scale, result, explained, total);
    }

    /// <summary>The coordinates of a sample along each component.</summary>
    /// <exception cref="ArgumentException">The sample has another number of features.</exception>
    public double[] Transform(double[] sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Length != Mean.Count)
        {
            throw new ArgumentException($"the sample has {sample.Length} features, the fit had {Mean.Count}", nameof(sample));
        }

        var scores = new double[Components.Count];
        for (var k = 0; k < scores.Length; k++)
        {
            var c = Components[k];
            var sum = 0.0;
            for (var j = 0; j < sample.Length; j++)
            {
                sum += (sample[j] - Mean[j]) / Scale[j] * c[j];
            }

            scores[k] = sum;
        }

        return scores;
    }
}
