using System.Globalization;
using CellSeg.Data.Coco;
using CellSeg.Synthesis;
using CellSeg.Synthesis.Diagnostics;

/// <summary>
/// `diagnose OUT [key=value ...]`: the issue-15 recipe on the real sample's 15 test-split images (bank cut from
/// them alone; densities 100 and 300, calibrated, 4 images per cell type each, bounded overlap, seed 1),
/// compared with those real images by <see cref="SyntheticDiagnostics"/>; writes OUT/diagnostics.json and
/// OUT/diagnostics.html. Keys: syntheticFraction=F, and generator options by their names.
/// </summary>
internal static class Diagnose
{
    public static async Task<int> RunAsync(string shared, string output, IReadOnlyList<string> settings)
    {
        var test = await CocoReader.LoadAsync(Path.Combine(shared, "annotations", "livecell_coco_test.json"));
        var folder = Path.Combine(shared, "images", "livecell_test_images");
        string Locate(CocoImage i) => Path.Combine(folder, i.FileName);
        var options = new SynthesisOptions { Seed = 1, ImagesPerCellType = 4, Overlap = OverlapMode.Bounded };
        var bankOptions = new CellBankOptions();
        double? fraction = null;
        var calibration = new DensityCalibration(0.95);
        foreach (var setting in settings)
        {
            var parts = setting.Split('=', 2);
            if (parts.Length != 2)
            {
                Console.Error.WriteLine($"diagnose: '{setting}' is not key=value (keys: syntheticFraction, pasteHalo, realDensity, haloWidth, seamlessFill)");
                return 2;
            }

            var (key, value) = (parts[0], parts[1]);
            switch (key)
            {
                case "syntheticFraction": fraction = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "pasteHalo": options = options with { PasteHalo = bool.Parse(value) }; break;
                case "realDensity": options = options with { RealDensity = bool.Parse(value) }; break;
                case "haloWidth": bankOptions = bankOptions with { HaloWidth = int.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "seamlessFill": bankOptions = bankOptions with { SeamlessFill = bool.Parse(value) }; break;
                default:
                    Console.Error.WriteLine($"diagnose: unknown setting '{key}' (keys: syntheticFraction, pasteHalo, realDensity, haloWidth, seamlessFill)");
                    return 2;
            }
        }

        var bank = await CellBank.BuildAsync(test, Locate, bankOptions);
        var real = await DiagnosticImage.LoadAsync(test, Locate, int.MaxValue);

        var synthetic = new List<DiagnosticImage>();
        var composer = new ImageComposer();
        foreach (var density in new[] { 100, 300 })
        {
            foreach (var type in bank.CellTypes)
            {
                for (var k = 0; k < options.ImagesPerCellType; k++)
                {
                    var seed = SyntheticGenerator.ImageSeed(options.Seed, density, type, k);
                    var image = composer.Compose(bank, type, DensityPlan.ImageTarget(bank, type, density, calibration, options, seed), options, seed);
                    synthetic.Add(DiagnosticImage.FromComposed(type, SyntheticGenerator.ImageFileName(type, density, k), image));
                }
            }
        }

        var report = SyntheticDiagnostics.Compare(real, synthetic, fraction);
        Directory.CreateDirectory(output);
        await DiagnosticsPage.WriteJsonAsync(report, Path.Combine(output, "diagnostics.json"));
        await DiagnosticsPage.WriteHtmlAsync(report, Path.Combine(output, "diagnostics.html"), "Real vs synthetic, LIVECell sample test split");
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"synthetic crop share {report.SyntheticCropShare:P1}"));
        Console.WriteLine("| cell type | cells/img real | synth | coverage real | synth | EMD all | cell | bg | halo RMS | edge real | synth | bg local std real | synth | bg grad² real | synth | seam real | synth | halo@+2 real | synth | halo@-2 real | synth |");
        foreach (var t in report.CellTypes)
        {
            var r = report.HaloRadius;
            Console.WriteLine(string.Create(c, $"| {t.CellType} | {t.Real.CellsPerImageMean:0} | {t.Synthetic.CellsPerImageMean:0} | {t.Real.CoverageMean:P0} | {t.Synthetic.CoverageMean:P0} | {t.HistogramDistance:0.0} | {t.CellHistogramDistance:0.0} | {t.BackgroundHistogramDistance:0.0} | {t.HaloDistance:0.0} | {t.Real.EdgeGradient:0.0} | {t.Synthetic.EdgeGradient:0.0} | {t.Real.BackgroundLocalStd:0.00} | {t.Synthetic.BackgroundLocalStd:0.00} | {t.Real.BackgroundGradientEnergy:0.0} | {t.Synthetic.BackgroundGradientEnergy:0.0} | {t.Real.BackgroundSeamRatio:0.00} | {t.Synthetic.BackgroundSeamRatio:0.00} | {t.Real.HaloProfile[r + 1]:0.0} | {t.Synthetic.HaloProfile[r + 1]:0.0} | {t.Real.HaloProfile[r - 2]:0.0} | {t.Synthetic.HaloProfile[r - 2]:0.0} |"));
        }

        return 0;
    }
}
