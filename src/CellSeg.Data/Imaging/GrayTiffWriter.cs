using System.Buffers.Binary;
using System.IO.Compression;

namespace CellSeg.Data.Imaging;

/// <summary>
/// A baseline little-endian TIFF writer for one grayscale plane: BlackIsZero, Deflate (code 8) with
/// horizontal differencing (predictor 2), strips of about 64 KiB, the IFD right after the header.
/// </summary>
/// <remarks>
/// ImageSharp 2.1.13's TIFF encoder cannot write 16-bit gray: asked for it, it silently writes 24-bit
/// RGB. Both bit depths go through this writer so that 8- and 16-bit files have the same structure.
/// </remarks>
internal static class GrayTiffWriter
{
    private const int TargetStripBytes = 64 * 1024;
    private const int HeaderBytes = 8;

    private const ushort TypeShort = 3;
    private const ushort TypeLong = 4;

    public static async Task WriteAsync(GrayImage image, Stream stream, CancellationToken ct, CompressionLevel level = CompressionLevel.Optimal)
    {
        var bytesPerSample = image.BitDepth / 8;
        var rowBytes = checked(image.Width * bytesPerSample);
        var rowsPerStrip = Math.Clamp(TargetStripBytes / rowBytes, 1, image.Height);
        var stripCount = (image.Height + rowsPerStrip - 1) / rowsPerStrip;

        // All strips are compressed into one pooled buffer, so a writer of many images allocates almost
        // nothing per image. Its size covers Deflate's worst case with room to spare: zlib's fast level can
        // code incompressible bytes with static Huffman codes of up to 9 bits (+12.5 %).
        var rawTotal = (long)rowBytes * image.Height;
        var capacity = checked((int)(rawTotal + rawTotal / 4 + 64L * stripCount + 1024));
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var compressed = pool.Rent(capacity);
        var raw = pool.Rent(rowsPerStrip * rowBytes);
        try
        {
            var stripStart = new int[stripCount];
            var stripLength = new int[stripCount];
            using (var buffer = new MemoryStream(compressed, 0, capacity, writable: true))
            {
                for (var s = 0; s < stripCount; s++)
                {
                    ct.ThrowIfCancellationRequested();
                    var firstRow = s * rowsPerStrip;
                    var rows = Math.Min(rowsPerStrip, image.Height - firstRow);
                    for (var r = 0; r < rows; r++)
                    {
                        WriteDifferencedRow(image, firstRow + r, raw.AsSpan(r * rowBytes, rowBytes));
                    }

                    stripStart[s] = (int)buffer.Position;
                    using (var zlib = new ZLibStream(buffer, level, leaveOpen: true))
                    {
                        zlib.Write(raw.AsSpan(0, rows * rowBytes));
                    }

                    stripLength[s] = (int)buffer.Position - stripStart[s];
                }
            }

            await WriteFileAsync(image, stream, rowsPerStrip, stripStart, stripLength, compressed, ct).ConfigureAwait(false);
        }
        finally
        {
            pool.Return(compressed);
            pool.Return(raw);
        }
    }

    private static async Task WriteFileAsync(GrayImage image, Stream stream, int rowsPerStrip, int[] stripStart, int[] stripLength, byte[] compressed, CancellationToken ct)
    {
        var stripCount = stripStart.Length;
        var entries = new List<(ushort Tag, ushort Type, uint Count, uint Value)>
        {
            (256, TypeLong, 1, (uint)image.Width),
            (257, TypeLong, 1, (uint)image.Height),
            (258, TypeShort, 1, (uint)image.BitDepth),
            (259, TypeShort, 1, 8),         // Deflate (Adobe), as TIFF Technical Note 2 numbers it
            (262, TypeShort, 1, 1),         // BlackIsZero
            (273, TypeLong, (uint)stripCount, 0),
            (277, TypeShort, 1, 1),
            (278, TypeLong, 1, (uint)rowsPerStrip),
            (279, TypeLong, (uint)stripCount, 0),
            (284, TypeShort, 1, 1),         // one plane
            (317, TypeShort, 1, 2),         // horizontal differencing
            (339, TypeShort, 1, 1),         // unsigned integer samples
        };

        var ifdBytes = 2 + 12 * entries.Count + 4;
        var arraysOffset = HeaderBytes + ifdBytes;
        var arrayBytes = stripCount > 1 ? 8 * stripCount : 0;
        long dataOffset = arraysOffset + arrayBytes;

        var offsets = new uint[stripCount];
        var position = dataOffset;
        for (var s = 0; s < stripCount; s++)
        {
            offsets[s] = checked((uint)position);
            position += stripLength[s];
        }

        _ = checked((uint)position);

        var head = new byte[dataOffset];
        "II"u8.CopyTo(head);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(4), HeaderBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(HeaderBytes), (ushort)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (tag, type, count, value) = entries[i];
            if (tag == 273)
            {
                value = stripCount > 1 ? (uint)arraysOffset : offsets[0];
            }
            else if (tag == 279)
            {
                value = stripCount > 1 ? (uint)(arraysOffset + 4 * stripCount) : (uint)stripLength[0];
            }

            var e = head.AsSpan(HeaderBytes + 2 + 12 * i, 12);
            BinaryPrimitives.WriteUInt16LittleEndian(e, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], count);
            if (type == TypeShort)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(e[8..], value);
            }
        }

        // The next-IFD offset after the entries stays 0: one image per file.
        if (stripCount > 1)
        {
            for (var s = 0; s < stripCount; s++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(arraysOffset + 4 * s), offsets[s]);
                BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(arraysOffset + 4 * (stripCount + s)), (uint)stripLength[s]);
            }
        }

        await stream.WriteAsync(head, ct).ConfigureAwait(false);

        // Strips lie back to back in the buffer, in order.
        var end = stripStart[stripCount - 1] + stripLength[stripCount - 1];
        await stream.WriteAsync(compressed.AsMemory(0, end), ct).ConfigureAwait(false);
    }

    private static void WriteDifferencedRow(GrayImage image, int y, Span<byte> row)
    {
        var start = y * image.Width;
        if (image.BitDepth == 8)
        {
            var pixels = image.Pixels8.AsSpan(start, image.Width);
            if (pixels.Length == 0)
            {
                return;
            }

            // row[x] = pixels[x] − pixels[x − 1] (mod 256), a vector of pixels at a time.
            row[0] = pixels[0];
            var x = 1;
            var lanes = System.Numerics.Vector<byte>.Count;
            for (; x + lanes <= pixels.Length; x += lanes)
            {
                var current = new System.Numerics.Vector<byte>(pixels[x..]);
                var left = new System.Numerics.Vector<byte>(pixels[(x - 1)..]);
                (current - left).CopyTo(row[x..]);
            }

            for (; x < pixels.Length; x++)
            {
                row[x] = (byte)(pixels[x] - pixels[x - 1]);
            }
        }
        else
        {
            var pixels = image.Pixels16.AsSpan(start, image.Width);
            ushort previous = 0;
            for (var x = 0; x < pixels.Length; x++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(row[(2 * x)..], (ushort)(pixels[x] - previous));
                previous = pixels[x];
            }
        }
    }
}
