using System.Buffers.Binary;

namespace CellSeg.Data.Imaging;

/// <summary>
/// Walks a PNG's chunk list. ImageSharp 2.1 decodes a PNG cut off between two IDAT chunks without
/// complaint and leaves the missing rows black, so completeness is checked here, before decoding.
/// </summary>
internal static class PngChunks
{
    /// <summary>Why the file is incomplete, or null when every chunk fits and an IEND chunk ends it.</summary>
    public static string? FindTruncation(ReadOnlySpan<byte> png)
    {
        const int signatureLength = 8;
        long position = signatureLength;
        while (position + 8 <= png.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[(int)position..]);
            var type = System.Text.Encoding.ASCII.GetString(png.Slice((int)position + 4, 4));
            var end = position + 12 + length;
            if (end > png.Length)
            {
                return $"PNG chunk '{type}' at byte {position} needs {length + 12} bytes but the file ends at byte {png.Length}: the file is truncated";
            }

            if (type == "IEND")
            {
                return null;
            }

            position = end;
        }

        return $"PNG ends at byte {png.Length} without an IEND chunk: the file is truncated";
    }
}
