using System.Text.Json;
using CellSeg.Data.Coco;
using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

/// <summary>Every real LIVECell annotation rasterised here must give pycocotools' exact RLE, area and box.</summary>
public sealed class RleReferenceTests
{
    public static TheoryData<string> Splits => new() { "test", "val" };

    [Theory]
    [MemberData(nameof(Splits))]
    public async Task Every_sample_polygon_rasterises_to_the_pycocotools_rle(string split)
    {
        var gt = await CocoReader.LoadAsync(Path.Combine(TestPaths.LivecellSample, "annotations", $"livecell_coco_{split}.json"));
        var reference = ReadReference(Path.Combine(TestPaths.Reference, $"rle_livecell_coco_{split}.json"));
        Assert.Equal(reference.Count, gt.Annotations.Count);
        var mismatches = new List<string>();
        foreach (var a in gt.Annotations)
        {
            var image = gt.FindImage(a.ImageId)!;
            var rle = a.Segmentation.ToRle(image.Height, image.Width);
            var expected = reference[a.Id];
            if (rle.ToCompressedString() != expected.Counts)
            {
                mismatches.Add($"annotation {a.Id}: counts differ");
            }

            if (rle.Area != expected.Area)
            {
                mismatches.Add($"annotation {a.Id}: area {rle.Area} != {expected.Area}");
            }

            if (rle.ToBbox() != expected.Bbox)
            {
                mismatches.Add($"annotation {a.Id}: bbox {rle.ToBbox()} != {expected.Bbox}");
            }

            Assert.Equal([image.Height, image.Width], expected.Size);
        }

        Assert.Empty(mismatches);
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void Every_reference_string_decodes_and_encodes_back_identically(string split)
    {
        var reference = ReadReference(Path.Combine(TestPaths.Reference, $"rle_livecell_coco_{split}.json"));
        foreach (var (id, r) in reference)
        {
            var rle = Rle.FromCompressedString(r.Counts, r.Size[0], r.Size[1]);
            Assert.Equal(r.Counts, rle.ToCompressedString());
            Assert.Equal(r.Area, rle.Area);
            var mask = rle.Decode();
            Assert.Equal(r.Area, mask.CountForeground());
            var again = Rle.Encode(mask);
            Assert.True(again.Counts.SequenceEqual(rle.Counts), $"annotation {id}: encode(decode(rle)) differs");
        }
    }

    internal sealed record RefRle(string Counts, int[] Size, long Area, BoundingBox Bbox);

    internal static Dictionary<long, RefRle> ReadReference(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new Dictionary<long, RefRle>();
        foreach (var a in doc.RootElement.GetProperty("annotations").EnumerateArray())
        {
            var b = a.GetProperty("rle_bbox").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            result[a.GetProperty("id").GetInt64()] = new RefRle(
                a.GetProperty("counts").GetString()!,
                a.GetProperty("size").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                a.GetProperty("rle_area").GetInt64(),
                new BoundingBox(b[0], b[1], b[2], b[3]));
        }

        return result;
    }
}
