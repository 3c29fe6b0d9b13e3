using CellSeg.Bench.Infrastructure;

namespace CellSeg.Bench.Parse;

/// <summary>
/// The pycocotools side of the comparison, measured on the same file: Python's json.load plus the
/// index COCO() builds (bench/pycocotools-anchor/coco_load_anchor.py), and pycocotools' own C
/// rasteriser (bench/pycocotools-anchor/rle_anchor.c linked against maskApi.c, which stays outside
/// the repository).
/// </summary>
internal static class Anchors
{
    private const string Python = "/usr/bin/python3";

    public static string AnchorFolder => Path.Combine(RepoRoot.Find(), "bench", "pycocotools-anchor");

    public static async Task<(PythonFigures? Figures, string? Skipped)> RunPythonAsync(string jsonPath, int run, int runs, CancellationToken ct)
    {
        var script = Path.Combine(AnchorFolder, "coco_load_anchor.py");
        if (!File.Exists(Python))
        {
            return (null, $"{Python} not found");
        }

        Console.Error.WriteLine($"  python: json.load + createIndex of {Path.GetFileName(jsonPath)}, run {run + 1} of {runs} (no progress shown) ...");
        return (await ChildProcess.RunAsync<PythonFigures>(Python, [script, jsonPath], ct).ConfigureAwait(false), null);
    }

    public static async Task<(CFigures? Figures, string? Skipped)> RunCAsync(string? cocoApiDir, string polygonDump, string workDir, int run, int runs, CancellationToken ct)
    {
        if (cocoApiDir is null)
        {
            return (null, "no --cocoapi DIR given (a folder with pycocotools' common/maskApi.c and maskApi.h)");
        }

        if (!File.Exists(Path.Combine(cocoApiDir, "maskApi.c")) || !File.Exists(Path.Combine(cocoApiDir, "maskApi.h")))
        {
            return (null, $"{cocoApiDir} holds no maskApi.c and maskApi.h");
        }

        var exe = Path.Combine(workDir, "rle_anchor");

        // -O3 and one thread: at least as fast as pycocotools' own build of the same file.
        if (run == 0)
        {
            await ChildProcess.RunPlainAsync("gcc", ["-O3", "-std=c99", "-D_POSIX_C_SOURCE=199309L", "-include", "string.h", "-I", cocoApiDir, "-o", exe, Path.Combine(AnchorFolder, "rle_anchor.c"), Path.Combine(cocoApiDir, "maskApi.c"), "-lm"], ct).ConfigureAwait(false);
        }

        Console.Error.WriteLine($"  C: pycocotools rleFrPoly and annToRLE's C calls over the polygon dump, run {run + 1} of {runs} ...");
        return (await ChildProcess.RunAsync<CFigures>(exe, [polygonDump], ct).ConfigureAwait(false), null);
    }
}
