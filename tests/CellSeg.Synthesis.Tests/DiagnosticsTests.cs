using System.Text.Json;
using CellSeg.Data.Coco;
using CellSeg.Synthesis.Diagnostics;

namespace CellSeg.Synthesis.Tests;

public sealed class DiagnosticsTests
{
    /// <summary>A 64×64 image, background 100 with ±2 noise, one disc cell of radius 10 at 80; with a halo, the 2 pixels outside it are at 130.</summary>
    private static DiagnosticImage Disc(string type, bool halo, int seed)
    {
        const int w = 64, h = 64;
        var random = new Random(seed);
        var pixels = new byte[w * h];
        var labels = new ushort[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var r = Math.Sqrt((x - 32) * (x - 32) + (y - 32) * (y - 32));
                var i = y * w + x;
                pixels[i] = (byte)(100 + random.Next(-2, 3));
                if (r <= 10)
                {
                    labels[i] = 1;
                    pixels[i] = 80;
                }
                else if (halo && r <= 12)
                {
                    pixels[i] = 130;
                }
            }
        }

        return new DiagnosticImage(type, $"{type}_{halo}_{seed}.tif", w, h, pixels, labels, 1);
    }

    [Fact]
    public void A_missing_halo_shows_in_the_profile_and_identical_images_are_at_distance_zero()
    {
        var real = new[] { Disc("MCF7", halo: true, 1), Disc("MCF7", halo: true, 2) };
        var report = SyntheticDiagnostics.Compare(real, [Disc("MCF7", halo: false, 3)]);
        var t = Assert.Single(report.CellTypes);
        var r = report.HaloRadius;

        // Index r is +1 px outside the boundary, r − 1 is −1 px inside.
        Assert.InRange(t.Real.HaloProfile[r]!.Value, 25, 35);
        Assert.InRange(t.Synthetic.HaloProfile[r]!.Value, -2, 2);
        Assert.InRange(t.Real.HaloProfile[r - 1]!.Value, -22, -18);
        Assert.True(t.HaloDistance > 5, $"halo distance {t.HaloDistance}");
        Assert.True(t.Real.EdgeGradient > t.Synthetic.EdgeGradient);
        Assert.InRange(t.Real.BackgroundMean, 99, 101);
        Assert.InRange(t.Real.BackgroundLocalStd, 0.8, 2);
        Assert.Equal(2, t.Real.Images);
        Assert.Equal(1.0, t.Real.CellsPerImageMean);

        var same = SyntheticDiagnostics.Compare(real, real).CellTypes[0];
        Assert.Equal(0, same.HistogramDistance, 9);
        Assert.Equal(0, same.HaloDistance, 9);
    }

    [Fact]
    public void Earth_mover_distance_of_shifted_histograms_is_the_shift()
    {
        var a = new double[256];
        var b = new double[256];
        a[100] = 1;
        b[107] = 1;
        Assert.Equal(7, SyntheticDiagnostics.EarthMover(a, b), 9);
    }

    [Fact]
    public void Crop_share_follows_the_image_counts_or_the_synthetic_fraction()
    {
        // Issue 15's recipe: 15 real images, 56 synthetic, images drawn uniformly: 79 % synthetic crops.
        Assert.Equal(56 / 71.0, SyntheticDiagnostics.CropShare(15, 56, 15, 56, null), 9);
        Assert.Equal(0.25, SyntheticDiagnostics.CropShare(15, 56, 15, 56, 0.25), 9);

        // One cell type with 2 of the 15 real and 8 of the 56 synthetic images, at fraction 0.25.
        var fromSynthetic = 0.25 * 8 / 56;
        var fromReal = 0.75 * 2 / 15;
        Assert.Equal(fromSynthetic / (fromSynthetic + fromReal), SyntheticDiagnostics.CropShare(2, 8, 15, 56, 0.25), 9);
        Assert.Throws<ArgumentException>(() => SyntheticDiagnostics.Compare([], [], 1.5));
    }

    [Fact]
    public async Task The_page_embeds_its_plots_and_crops_and_the_json_holds_every_cell_type()
    {
        var (bank, test, _) = await RealBank.GetAsync();
        var real = await DiagnosticImage.LoadAsync(test, i => Path.Combine(RealBank.TestImages, i.FileName), maxPerCellType: 1);
        var composer = new ImageComposer();
        var options = new SynthesisOptions { Seed = 5, Width = 160, Height = 128 };
        var synthetic = bank.CellTypes.Select(t => DiagnosticImage.FromComposed(t, $"{t}_Synthetic.tif", composer.Compose(bank, t, 20, options, 7))).ToList();
        var report = SyntheticDiagnostics.Compare(real, synthetic, options: new DiagnosticsOptions { CropSize = 64 });

        var folder = Directory.CreateTempSubdirectory("cellseg-diag-").FullName;
        try
        {
            await DiagnosticsPage.WriteJsonAsync(report, Path.Combine(folder, "d.json"));
            await DiagnosticsPage.WriteHtmlAsync(report, Path.Combine(folder, "d.html"), "sample <check>");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "d.json")));
            var types = json.RootElement.GetProperty("cellTypes").EnumerateArray().Select(e => e.GetProperty("cellType").GetString()).ToList();
            Assert.Equal(real.Select(r => r.CellType).Distinct().Order(StringComparer.Ordinal), types);
            Assert.Equal(2 * report.HaloRadius, json.RootElement.GetProperty("cellTypes")[0].GetProperty("real").GetProperty("haloProfile").GetArrayLength());

            var html = await File.ReadAllTextAsync(Path.Combine(folder, "d.html"));
            Assert.Contains("sample &lt;check&gt;", html, StringComparison.Ordinal);
            Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);

            // Per cell type: two plots, one real crop and one synthetic crop.
            var images = html.Split("src=\"data:image/png;base64,").Length - 1;
            Assert.Equal(4 * types.Count, images);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
