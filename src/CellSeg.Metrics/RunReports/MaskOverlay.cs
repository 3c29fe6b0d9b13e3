using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CellSeg.Metrics.RunReports;

/// <summary>How an image's cells and detections matched at the overlay's IoU threshold.</summary>
/// <param name="TruePositives">Detections matched to a ground-truth cell.</param>
/// <param name="FalsePositives">Detections matched to none.</param>
/// <param name="FalseNegatives">Ground-truth cells no detection matched.</param>
public sealed record OverlayCounts(int TruePositives, int FalsePositives, int FalseNegatives);

/// <summary>
/// Colours an image by how its detections match the ground truth at one IoU threshold (0.5 in reports), the way a
/// reader of the paper's Figure 3 wants to see it: matched detections green, unmatched detections magenta, missed
/// cells yellow. Each cell is tinted (35 % of its colour over the grey image) and outlined in its pure colour.
/// Matching is COCO's greedy rule: detections in descending score take the unmatched cell of highest IoU at or above
/// the threshold.
/// </summary>
public static class MaskOverlay
{
    /// <summary>Matched detections.</summary>
    public static readonly Rgb24 TruePositive = new(0, 200, 0);

    /// <summary>Detections without a cell.</summary>
    public static readonly Rgb24 FalsePositive = new(255, 0, 255);

    /// <summary>Cells without a detection.</summary>
    public static readonly Rgb24 FalseNegative = new(255, 230, 0);

    /// <summary>The tint's weight inside a mask.</summary>
    public const double TintWeight = 0.35;

    /// <summary>Matches detections (in descending score) to cells.</summary>
    /// <returns>For each detection, the index of its cell or −1; and for each cell, whether it was matched.</returns>
    public static (int[] DetectionMatch, bool[] CellMatched) Match(IReadOnlyList<Rle> cells, IReadOnlyList<(Rle Mask, double Score)> detections, double iouThreshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(detections);
        var order = Enumerable.Range(0, detections.Count).OrderByDescending(i => detections[i].Score).ToArray();
        var match = Enumerable.Repeat(-1, detections.Count).ToArray();
        var taken = new bool[cells.Count];
        foreach (var d in order)
        {
            var best = -1;
            var bestIou = Math.Min(iouThreshold, 1 - 1e-10);
            for (var g = 0; g < cells.Count; g++)
            {
                if (taken[g])
                {
                    continue;
                }

                var iou = Rle.Iou(detections[d].Mask, cells[g], false);
                if (iou >= bestIou)
                {
                    bestIou = iou;
                    best = g;
                }
            }

            if (best >= 0)
            {
                taken[best] = true;
                match[d] = best;
            }
        }

        return (match, taken);
    }

    /// <summary>
    /// A semantic model's cells: the 8-connected components of its mask (non-zero pixels), each a detection of score 1.
    /// Touching cells become one, as they are to a model that only labels pixels.
    /// </summary>
    public static IReadOnlyList<(Rle Mask, double Score)> Cells(GrayImage mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var ones = new byte[mask.Width * mask.Height];
        for (var y = 0; y < mask.Height; y++)
        {
            for (var x = 0; x < mask.Width; x++)
            {
                ones[y * mask.Width + x] = mask[x, y] != 0 ? (byte)1 : (byte)0;
            }
        }

        return [.. ComponentLabels.Find(new BinaryMask(mask.Height, mask.Width, ones)).ToInstances<byte>(ones, 1).Select(c => (c.Mask, 1.0))];
    }

    /// <summary>Draws the overlay at the image's size.</summary>
    public static (Image<Rgb24> Image, OverlayCounts Counts) Render(GrayImage image, IReadOnlyList<Rle> cells, IReadOnlyList<(Rle Mask, double Score)> detections, double iouThreshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (match, matched) = Match(cells, detections, iouThreshold);
        int w = image.Width, h = image.Height;
        var scale = 255.0 / image.MaxValue;
        var output = new Image<Rgb24>(w, h);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var g = (byte)Math.Clamp(Math.Round(image[x, y] * scale), 0, 255);
                output[x, y] = new Rgb24(g, g, g);
            }
        }

        // Missed cells first, so a detection drawn over the same pixels stays visible.
        for (var g = 0; g < cells.Count; g++)
        {
            if (!matched[g])
            {
                Paint(output, cells[g], FalseNegative);
            }
        }

        for (var d = 0; d < detections.Count; d++)
        {
            if (match[d] < 0)
            {
                Paint(output, detections[d].Mask, FalsePositive);
            }
        }

        for (var d = 0; d < detections.Count; d++)
        {
            if (match[d] >= 0)
            {
                Paint(output, detections[d].Mask, TruePositive);
            }
        }

        var tp = match.Count(m => m >= 0);
        return (output, new OverlayCounts(tp, detections.Count - tp, matched.Count(m => !m)));
    }

    /// <summary>Panels side by side (4-pixel gap), each shrunk to at most <paramref name="maxSide"/> pixels, as PNG bytes.</summary>
    public static byte[] SheetPng(IReadOnlyList<Image<Rgb24>> panels, int maxSide)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0)
        {
            throw new ArgumentException("a sheet needs at least one panel", nameof(panels));
        }

        const int gap = 4;
        var sized = panels.Select(p =>
        {
            var f = Math.Min(1.0, (double)maxSide / Math.Max(p.Width, p.Height));
            return f >= 1 ? p.Clone() : p.Clone(c => c.Resize(Math.Max(1, (int)(p.Width * f)), Math.Max(1, (int)(p.Height * f)), KnownResamplers.Box));
        }).ToList();
        try
        {
            using var sheet = new Image<Rgb24>(sized.Sum(p => p.Width) + gap * (sized.Count - 1), sized.Max(p => p.Height), new Rgb24(255, 255, 255));
            var left = 0;
            foreach (var p in sized)
            {
                var offset = left;
                sheet.Mutate(c => c.DrawImage(p, new Point(offset, 0), 1f));
                left += p.Width + gap;
            }

            using var buffer = new MemoryStream();
            sheet.SaveAsPng(buffer);
            return buffer.ToArray();
        }
        finally
        {
            sized.ForEach(p => p.Dispose());
        }
    }

    private static void Paint(Image<Rgb24> output, Rle rle, Rgb24 colour)
    {
        int w = output.Width, h = output.Height;
        if (rle.Width != w || rle.Height != h)
        {
            return;
        }

        var mask = rle.Decode();
        var box = rle.ToBbox();
        int x0 = (int)box.X, y0 = (int)box.Y, x1 = Math.Min(w, (int)Math.Ceiling(box.X + box.Width)), y1 = Math.Min(h, (int)Math.Ceiling(box.Y + box.Height));
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                if (mask[x, y] == 0)
                {
                    continue;
                }

                var edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || mask[x - 1, y] == 0 || mask[x + 1, y] == 0 || mask[x, y - 1] == 0 || mask[x, y + 1] == 0;
                output[x, y] = edge ? colour : Tint(output[x, y], colour);
            }
        }
    }

    /// <summary>The tinted colour of a grey pixel inside a mask.</summary>
    public static Rgb24 Tint(Rgb24 under, Rgb24 colour) => new(
        (byte)Math.Round(under.R * (1 - TintWeight) + colour.R * TintWeight),
        (byte)Math.Round(under.G * (1 - TintWeight) + colour.G * TintWeight),
        (byte)Math.Round(under.B * (1 - TintWeight) + colour.B * TintWeight));
}
