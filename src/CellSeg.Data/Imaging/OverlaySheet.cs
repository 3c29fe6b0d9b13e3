using CellSeg.Data.IO;
using CellSeg.Data.Masks;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CellSeg.Data.Imaging;

/// <summary>One panel of an overlay sheet: an image with the outlines of its ground-truth and predicted cells.</summary>
/// <param name="Image">The image (8- or 16-bit; 16-bit is scaled to 8).</param>
/// <param name="GroundTruth">Ground-truth masks, outlined in green.</param>
/// <param name="Predicted">Predicted masks, outlined in magenta (where both outlines fall on one pixel: white).</param>
public sealed record OverlayPanel(GrayImage Image, IReadOnlyList<Rle> GroundTruth, IReadOnlyList<Rle> Predicted);

/// <summary>
/// Draws panels side by side into one RGB PNG, so a person can see at a glance where a segmenter
/// agrees with the annotation and where it does not.
/// </summary>
public static class OverlaySheet
{
    private static readonly Rgb24 Truth = new(40, 220, 60);
    private static readonly Rgb24 Prediction = new(235, 40, 200);
    private static readonly Rgb24 Both = new(255, 255, 255);

    /// <summary>Writes the sheet atomically; panels are laid out left to right with a 4-pixel gap.</summary>
    public static Task WritePngAsync(IReadOnlyList<OverlayPanel> panels, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0)
        {
            throw new ArgumentException("an overlay sheet needs at least one panel", nameof(panels));
        }

        const int gap = 4;
        var width = panels.Sum(p => p.Image.Width) + gap * (panels.Count - 1);
        var height = panels.Max(p => p.Image.Height);
        return AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            using var sheet = new Image<Rgb24>(width, height, new Rgb24(0, 0, 0));
            var left = 0;
            foreach (var panel in panels)
            {
                Draw(sheet, left, panel);
                left += panel.Image.Width + gap;
            }

            await sheet.SaveAsPngAsync(stream, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    private static void Draw(Image<Rgb24> sheet, int left, OverlayPanel panel)
    {
        var image = panel.Image;
        int w = image.Width, h = image.Height;
        var scale = image.BitDepth == 16 ? 1.0 / 257 : 1.0;
        var truth = Outline(panel.GroundTruth, h, w);
        var predicted = Outline(panel.Predicted, h, w);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                var g = (byte)Math.Clamp(image[x, y] * scale, 0, 255);
                sheet[left + x, y] = (truth[i], predicted[i]) switch
                {
                    (true, true) => Both,
                    (true, false) => Truth,
                    (false, true) => Prediction,
                    _ => new Rgb24(g, g, g),
                };
            }
        }
    }

    /// <summary>Pixels inside a mask with a 4-neighbour outside it.</summary>
    private static bool[] Outline(IReadOnlyList<Rle> masks, int h, int w)
    {
        var edge = new bool[h * w];
        foreach (var rle in masks)
        {
            var box = rle.ToBbox();
            var m = rle.Decode();
            int x0 = (int)box.X, y0 = (int)box.Y, x1 = (int)(box.X + box.Width), y1 = (int)(box.Y + box.Height);
            for (var y = y0; y < y1; y++)
            {
                for (var x = x0; x < x1; x++)
                {
                    if (m[x, y] == 0)
                    {
                        continue;
                    }

                    if (x == 0 || y == 0 || x == w - 1 || y == h - 1 || m[x - 1, y] == 0 || m[x + 1, y] == 0 || m[x, y - 1] == 0 || m[x, y + 1] == 0)
                    {
                        edge[y * w + x] = true;
                    }
                }
            }
        }

        return edge;
    }
}
