using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CellSeg.Metrics.Pca;

namespace CellSeg.Metrics.Tests.Pca;

public sealed class PrincipalComponentsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Matches_numpy_svd_of_the_centred_data(bool standardise)
    {
        var random = new Random(20211);
        var samples = new List<double[]>();
        for (var i = 0; i < 40; i++)
        {
            var a = random.NextDouble() * 10;
            var b = random.NextDouble();
            samples.Add([a, 2 * a + b, b * 100, random.NextDouble() - 0.5, a - b, 7]);
        }

        var pca = PrincipalComponents.Fit(samples, 3, standardise);
        var reference = NumpyPca(samples, standardise);

        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(reference.Ratios[k], pca.ExplainedVarianceRatio[k], 9);
            // Component signs are a convention: align ours with numpy's before comparing the scores.
            var sign = Math.Sign(pca.Transform(samples[0])[k]) == Math.Sign(reference.Scores[0][k]) ? 1 : -1;
            for (var i = 0; i < samples.Count; i++)
            {
                Assert.Equal(reference.Scores[i][k], sign * pca.Transform(samples[i])[k], 7);
            }
        }
    }

    [Fact]
    public void Points_on_a_line_have_all_their_variance_on_the_first_component_with_a_fixed_sign()
    {
        var samples = Enumerable.Range(0, 10).Select(i => new double[] { i, -2.0 * i + 3 }).ToList();
        var pca = PrincipalComponents.Fit(samples, 2);
        Assert.Equal(1, pca.ExplainedVarianceRatio[0], 12);
        Assert.Equal(0, pca.ExplainedVarianceRatio[1], 12);
        // The direction is (1, -2)/√5; its largest loading is made positive: (-1, 2)/√5.
        Assert.Equal(-1 / Math.Sqrt(5), pca.Components[0][0], 12);
        Assert.Equal(2 / Math.Sqrt(5), pca.Components[0][1], 12);
    }

    [Fact]
    public void Bad_input_is_refused_with_the_reason()
    {
        Assert.Contains("at least 2 samples", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit([[1.0, 2.0]])).Message, StringComparison.Ordinal);
        Assert.Contains("sample 1 has 1 features", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit([[1.0, 2.0], [3.0]])).Message, StringComparison.Ordinal);
        Assert.Contains("sample 1 holds a value", Assert.Throws<ArgumentException>(() => PrincipalComponents.Fit([[1.0, 2.0], [double.NaN, 1]])).Message, StringComparison.Ordinal);
    }

    /// <summary>The same PCA by Debian's numpy (python3-numpy under /usr/bin/python3), an independent implementation.</summary>
    private static (double[] Ratios, double[][] Scores) NumpyPca(List<double[]> samples, bool standardise)
    {
        var csv = Path.Combine(TestPaths.NewTempFolder(), "x.csv");
        File.WriteAllLines(csv, samples.Select(r => string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        var script = """
            import json, sys, numpy as np
            x = np.loadtxt(sys.argv[1], delimiter=",")
            x = x - x.mean(axis=0)
            if sys.argv[2] == "1":
                sd = x.std(axis=0, ddof=1)
                sd[sd <= 1e-12] = 1.0
                x = x / sd
            u, s, vt = np.linalg.svd(x, full_matrices=False)
            var = s ** 2 / (x.shape[0] - 1)
            total = (x ** 2).sum() / (x.shape[0] - 1)
            print(json.dumps({"ratios": (var / total).tolist(), "scores": (x @ vt.T).tolist()}))
            """;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(csv);
        info.ArgumentList.Add(standardise ? "1" : "0");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "numpy reference failed (is Debian's python3-numpy installed? .ci/run installs it): " + error);
        using var doc = JsonDocument.Parse(output);
        var ratios = doc.RootElement.GetProperty("ratios").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var scores = doc.RootElement.GetProperty("scores").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        return (ratios, scores);
    }
}
