using System.Text.Json;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>Values written by fixtures/make_fixtures.py with Debian's PyTorch/torchvision (committed JSON).</summary>
internal static class CenterMaskReference
{
    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestPaths.RepoRoot, "tests", "CellSeg.Models.Tests", "CenterMask", "fixtures", "centermask_reference.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();

    public static float[,] Matrix(JsonElement e)
    {
        var rows = e.EnumerateArray().Select(Floats).ToArray();
        var m = new float[rows.Length, rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
        {
            for (var j = 0; j < rows[0].Length; j++)
            {
                m[i, j] = rows[i][j];
            }
        }

        return m;
    }
}
