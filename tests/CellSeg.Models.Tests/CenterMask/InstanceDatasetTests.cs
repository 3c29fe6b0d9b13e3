using System.Text.Json.Nodes;
using CellSeg.Data.Masks;
using CellSeg.Models.CenterMask;

namespace CellSeg.Models.Tests.CenterMask;

public class InstanceDatasetTests
{
    [Fact]
    public async Task Sets_load_from_flat_and_per_cell_type_folders_with_extra_sets_and_a_cell_type_filter()
    {
        var (annotations, images) = await LivecellCrops.WriteAsync(64, 1037332, 100601);

        // LIVECell's layout: the Huh7 crop in a sub-folder named after its cell type, the BT474 crop flat.
        var huh7 = Directory.GetFiles(images, "Huh7*.png").Single();
        Directory.CreateDirectory(Path.Combine(images, "Huh7"));
        File.Move(huh7, Path.Combine(images, "Huh7", Path.GetFileName(huh7)));

        var set = new CocoImageSet(annotations, images);
        var all = await InstanceDataset.LoadAsync([set, set]);
        Assert.Equal(4, all.Count);
        Assert.Equal([1], all.CategoryIds);
        Assert.Equal(["Huh7", "BT474", "Huh7", "BT474"], all.Samples.Select(s => s.CellType));
        Assert.All(all.Samples, s =>
        {
            Assert.NotEmpty(s.Cells);
            Assert.All(s.Cells, c => Assert.True(c.X1 >= 0 && c.X2 <= 64 && c.X1 < c.X2 && c.Y1 < c.Y2 && c.Polygons.Count > 0));
        });

        var bt474 = await InstanceDataset.LoadAsync([set], ["BT474"]);
        var sample = Assert.Single(bt474.Samples);
        Assert.Equal(100601, sample.ImageId);
        var input = sample.ToCenterMaskSample();
        Assert.Equal(new long[] { 64, 64 }, input.Image.shape);
        Assert.Equal(new long[] { sample.Cells.Count, 4 }, input.Boxes!.shape);
        Assert.Equal(sample.Cells.Count, input.Polygons!.Count);
    }

    [Fact]
    public async Task Rle_annotations_like_the_synthetic_sets_become_polygons_that_rasterise_back_to_the_same_cells()
    {
        var (annotations, images) = await LivecellCrops.WriteAsync(64, 1037332);
        var polygonSet = await InstanceDataset.LoadAsync([new CocoImageSet(annotations, images)]);

        // The same file with every cell as compressed RLE (what CellSeg.Synthesis writes by default).
        var json = JsonNode.Parse(await File.ReadAllTextAsync(annotations))!;
        foreach (var a in json["annotations"]!.AsArray())
        {
            var polygons = a!["segmentation"]!.AsArray().Select(p => p!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToList();
            var rle = Rle.FromPolygons(polygons, 64, 64);
            a["segmentation"] = new JsonObject { ["size"] = new JsonArray(64, 64), ["counts"] = rle.ToCompressedString() };
        }

        var rlePath = Path.Combine(Path.GetDirectoryName(annotations)!, "rle.json");
        await File.WriteAllTextAsync(rlePath, json.ToJsonString());
        var rleSet = await InstanceDataset.LoadAsync([new CocoImageSet(rlePath, images)]);

        var expected = polygonSet.Samples[0].Cells;
        var traced = rleSet.Samples[0].Cells;
        Assert.Equal(expected.Count, traced.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var a = Rle.FromPolygons(expected[i].Polygons, 64, 64);
            var b = Rle.FromPolygons(traced[i].Polygons, 64, 64);
            var iou = (double)Rle.IntersectionArea(a, b) / (a.Area + b.Area - Rle.IntersectionArea(a, b));
            Assert.True(iou > 0.8, $"cell {i}: traced polygons cover IoU {iou:F2} of the original");
        }
    }
}
