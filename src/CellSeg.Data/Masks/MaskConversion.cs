namespace CellSeg.Data.Masks;

/// <summary>
/// Turns instance masks (one <see cref="Rle"/> per object, all the size of the image) into the
/// per-pixel forms a segmentation model trains on: a semantic foreground mask and a label image.
/// Polygons for COCO come from <see cref="Contours"/>.
/// </summary>
public static class MaskConversion
{
    /// <summary>
    /// The union of all instances: a pixel is foreground (1) when any instance covers it. The same
    /// pixels as <c>Rle.Merge(instances).Decode()</c>, computed without building the merged RLE.
    /// </summary>
    /// <param name="instances">The instance masks, each <paramref name="height"/> × <paramref name="width"/>.</param>
    /// <param name="height">Image height, so that an image with no instances still gets a mask.</param>
    /// <param name="width">Image width.</param>
    /// <exception cref="ArgumentException">An instance has another size.</exception>
    public static BinaryMask ToSemantic(IEnumerable<Rle> instances, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var mask = new BinaryMask(height, width);
        var i = 0;
        foreach (var instance in instances)
        {
            CheckSize(instance, i++, height, width);
            instance.DecodeInto(mask, 1);
        }

        return mask;
    }

    /// <summary>
    /// A label image, row-major: 0 is background and instance i (counting from 0 in enumeration order)
    /// is painted with i + 1. Where instances overlap, the later instance wins, exactly as painting the
    /// masks one after another onto a canvas gives; an instance wholly covered by later ones vanishes.
    /// </summary>
    /// <param name="instances">The instance masks, each <paramref name="height"/> × <paramref name="width"/>.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <exception cref="ArgumentException">An instance has another size.</exception>
    public static int[] ToLabels(IEnumerable<Rle> instances, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var labels = new int[checked(height * width)];
        var i = 0;
        foreach (var instance in instances)
        {
            CheckSize(instance, i, height, width);
            Paint(instance, labels, i + 1);
            i++;
        }

        return labels;
    }

    /// <summary>Writes <paramref name="label"/> into every foreground pixel; RLE runs are column-major, labels row-major.</summary>
    private static void Paint(Rle instance, int[] labels, int label)
    {
        var w = instance.Width;
        foreach (var (x, y) in instance.ForegroundPixels())
        {
            labels[y * w + x] = label;
        }
    }

    private static void CheckSize(Rle instance, int index, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.Height != height || instance.Width != width)
        {
            throw new ArgumentException($"instance {index} is {instance.Width}x{instance.Height}; the image is {width}x{height}", "instances");
        }
    }
}
