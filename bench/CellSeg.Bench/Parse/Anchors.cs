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
    public const string Python = "/usr/bin/python3";

    public static string AnchorFolder => Path.Combine(RepoRoot.Find(), "bench", "pycocotools-anchor");

    public static Task<Measured<PythonFigures>> RunPythonAsync(string jsonPath, int run, int runs, CancellationToken ct)
    {
        Console.Error.WriteLine($"  python: json.load + createIndex of {Path.GetFileName(jsonPath)}, run {run + 1} of {runs} (no progress shown) ...");
        return ChildProcess.RunAsync<PythonFigures>(Python, [Path.Combine(AnchorFolder, "coco_load_anchor.py"), jsonPath], ct);
    }

    /// <summary>Why the C anchor cannot run, or null when it can.</summary>
    public static string? WhyNoC(string? cocoApiDir)
    {
        if (cocoApiDir is null)
        {
            return "no --cocoapi DIR given (a folder with pycocotools' common/maskApi.c and maskApi.h)";
        }

        return File.Exists(Path.Combine(cocoApiDir, "maskApi.c")) && File.Exists(Path.Combine(cocoApiDir, "maskApi.h"))
            ? null
            : $"{cocoApiDir} holds no maskApi.c and maskApi.h";
    }

    public static async Task<Measured<CFigures>> RunCAsync(string cocoApiDir, string polygonDump, string workDir, int run, int runs, CancellationToken ct)
    {
        var exe = Path.Combine(workDir, "rle_anchor");
        if (run == 0)
        {
            // -O3 and one thread: at least as fast as pycocotools' own build of the same file.
            await ChildProcess.RunPlainAsync("gcc", ["-O3", "-std=c99", "-D_POSIX_C_SOURCE=199309L", "-include", "string.h", "-I", cocoApiDir, "-o", exe, Path.Combine(AnchorFolder, "rle_anchor.c"), Path.Combine(cocoApiDir, "maskApi.c"), "-lm"], ct).ConfigureAwait(false);
        }

        Console.Error.WriteLine($"  C: pycocotools rleFrPoly and annToRLE's C calls over the polygon dump, run {run + 1} of {runs} ...");
        return await ChildProcess.RunAsync<CFigures>(exe, [polygonDump], ct).ConfigureAwait(false);
    }
}
