using System.Text;

namespace CellSeg.Bench.Generation;

/// <summary>
/// The generated polygons in a flat binary file for the C anchor (pycocotools' rasteriser), so it
/// rasterises exactly the polygons the C# side does without parsing JSON. Layout: "PLY1", int64
/// annotation count, then per annotation int32 height, int32 width, int32 polygon count, and per
/// polygon int32 coordinate count and float64 coordinates (little-endian).
/// </summary>
internal sealed class PolygonDump : IDisposable
{
    private readonly BinaryWriter _writer;

    public PolygonDump(string path, long annotationCount)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _writer = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: false);
        _writer.Write("PLY1"u8);
        _writer.Write(annotationCount);
    }

    public void Add(int height, int width, IReadOnlyList<double[]> polygons)
    {
        _writer.Write(height);
        _writer.Write(width);
        _writer.Write(polygons.Count);
        foreach (var xy in polygons)
        {
            _writer.Write(xy.Length);
            foreach (var v in xy)
            {
                _writer.Write(v);
            }
        }
    }

    public void Dispose() => _writer.Dispose();
}
