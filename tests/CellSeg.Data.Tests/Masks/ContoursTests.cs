using System.Text.Json;
using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

public sealed class ContoursTests
{
    [Fact]
    public void Random_blobs_round_trip_exactly_component_by_component()
    {
        var random = new Random(20240611);
        var components = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var mask = MaskTestShapes.RandomBlobs(seed, random.Next(1, 41), random.Next(1, 41));
            var expected = MaskTestShapes.FilledComponents(mask);

            var polygons = Contours.OuterPolygons(mask);

            Assert.Equal(expected.Count, polygons.Count);
            for (var i = 0; i < polygons.Count; i++)
            {
                var back = Rle.FromPolygon(polygons[i], mask.Height, mask.Width).Decode();
                Assert.True(
                    expected[i].Data.AsSpan().SequenceEqual(back.Data),
                    $"seed {seed}, component {i}:\n{MaskTestShapes.Render(expected[i])}\nrasterised back as\n{MaskTestShapes.Render(back)}");
            }

            components += polygons.Count;
        }

        Assert.True(components > 600, $"only {components} components were exercised");
    }

    [Fact]
    public void Hole_free_random_masks_round_trip_exactly_as_a_whole()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var mask = MaskTestShapes.FillHoles(MaskTestShapes.RandomBlobs(seed, 33, 29));

            var back = MaskTestShapes.Rasterise(Contours.OuterPolygons(mask), mask.Height, mask.Width);

            Assert.Equal(MaskTestShapes.Render(mask), MaskTestShapes.Render(back));
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 2)]
    [InlineData(6, 4)]
    [InlineData(0, 4)]
    [InlineData(6, 0)]
    public void Single_pixel_becomes_its_unit_square(int x, int y)
    {
        var mask = new BinaryMask(5, 7);
        mask[x, y] = 1;

        var polygon = Assert.Single(Contours.OuterPolygons(mask));

        Assert.Equal([x, y, x + 1, y, x + 1, y + 1, x, y + 1], polygon);
        Assert.Equal(MaskTestShapes.Render(mask), MaskTestShapes.Render(Rle.FromPolygon(polygon, 5, 7).Decode()));
    }

    [Theory]
    [InlineData("horizontal", new[] { "......", ".####.", "......" })]
    [InlineData("vertical", new[] { "..#..", "..#..", "..#..", "..#.." })]
    [InlineData("diagonal", new[] { "#....", ".#...", "..#..", "...#.", "....#" })]
    [InlineData("anti-diagonal", new[] { "...#", "..#.", ".#..", "#..." })]
    [InlineData("zigzag", new[] { "#.#.#", ".#.#." })]
    [InlineData("bent", new[] { "#....", "#....", "####.", "....#", "....#" })]
    public void One_pixel_wide_line_is_one_polygon_that_round_trips(string shape, string[] rows)
    {
        var mask = MaskTestShapes.Parse(rows);

        var polygon = Assert.Single(Contours.OuterPolygons(mask));

        Assert.True(polygon.Length >= 8, shape);
        Assert.Equal(string.Join('\n', rows), MaskTestShapes.Render(Rle.FromPolygon(polygon, mask.Height, mask.Width).Decode()));
    }

    [Fact]
    public void Pixels_touching_at_a_corner_are_one_polygon_through_that_corner_twice()
    {
        var mask = MaskTestShapes.Parse("#.", ".#");

        var polygon = Assert.Single(Contours.OuterPolygons(mask));

        var corners = Enumerable.Range(0, polygon.Length / 2).Select(i => (polygon[2 * i], polygon[2 * i + 1])).ToList();
        Assert.Equal(2, corners.Count(c => c == (1.0, 1.0)));
        Assert.Equal("#.\n.#", MaskTestShapes.Render(Rle.FromPolygon(polygon, 2, 2).Decode()));
    }

    [Fact]
    public void Pixels_apart_are_separate_polygons_in_raster_order()
    {
        var mask = MaskTestShapes.Parse("..#", "...", "#..");

        var polygons = Contours.OuterPolygons(mask);

        Assert.Equal(2, polygons.Count);
        Assert.Equal([2.0, 0, 3, 0, 3, 1, 2, 1], polygons[0]);
        Assert.Equal([0.0, 2, 1, 2, 1, 3, 0, 3], polygons[1]);
    }

    [Fact]
    public void Full_image_is_the_image_rectangle()
    {
        var mask = MaskTestShapes.Parse("####", "####", "####");

        Assert.Equal([0.0, 0, 4, 0, 4, 3, 0, 3], Assert.Single(Contours.OuterPolygons(mask)));
    }

    [Fact]
    public void Component_on_the_right_and_bottom_border_round_trips()
    {
        var mask = MaskTestShapes.Parse(
            ".....#",
            "....##",
            "...###",
            "..####",
            "######");

        var polygon = Assert.Single(Contours.OuterPolygons(mask));

        Assert.Equal(MaskTestShapes.Render(mask), MaskTestShapes.Render(Rle.FromPolygon(polygon, mask.Height, mask.Width).Decode()));
    }

    [Theory]
    [InlineData("ring with an island", new[] { "#####", "#...#", "#.#.#", "#...#", "#####" })]
    [InlineData("diamond of diagonal neighbours", new[] { ".#.", "#.#", ".#." })]
    [InlineData("hole open only at a corner", new[] { "##.", "#.#", "###" })]
    public void Holes_come_back_filled(string shape, string[] rows)
    {
        var mask = MaskTestShapes.Parse(rows);
        var expected = MaskTestShapes.FillHoles(mask);

        var back = MaskTestShapes.Rasterise(Contours.OuterPolygons(mask), mask.Height, mask.Width);

        Assert.NotEqual(MaskTestShapes.Render(mask), MaskTestShapes.Render(expected));
        Assert.True(MaskTestShapes.Render(expected) == MaskTestShapes.Render(back), shape);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(-0.25)]
    [InlineData(0.25)]
    [InlineData(0.49)]
    public void Corners_shifted_by_less_than_half_a_pixel_rasterise_the_same(double shift)
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var mask = MaskTestShapes.FillHoles(MaskTestShapes.RandomBlobs(seed, 24, 31));
            var shifted = Contours.OuterPolygons(mask).Select(p => p.Select(v => v + shift).ToArray()).ToList();

            Assert.Equal(MaskTestShapes.Render(mask), MaskTestShapes.Render(MaskTestShapes.Rasterise(shifted, mask.Height, mask.Width)));
        }
    }

    [Fact]
    public void Pixel_centre_outline_loses_the_top_row_and_left_column()
    {
        // What OpenCV's findContours gives for a 3x3 square; pycocotools keeps only 2x2 of it.
        var centres = Rle.FromPolygon([1.5, 1.5, 3.5, 1.5, 3.5, 3.5, 1.5, 3.5], 5, 5).Decode();
        var corners = Rle.FromPolygon(Assert.Single(Contours.OuterPolygons(MaskTestShapes.Parse(".....", ".###.", ".###.", ".###.", "....."))), 5, 5).Decode();

        Assert.Equal(".....\n.....\n..##.\n..##.\n.....", MaskTestShapes.Render(centres));
        Assert.Equal(".....\n.###.\n.###.\n.###.\n.....", MaskTestShapes.Render(corners));
    }

    [Fact]
    public void Shoelace_area_equals_the_pixel_count_of_a_hole_free_component()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var mask = MaskTestShapes.FillHoles(MaskTestShapes.RandomBlobs(seed, 30, 30));
            var components = MaskTestShapes.FilledComponents(mask);
            var polygons = Contours.OuterPolygons(mask);

            for (var i = 0; i < polygons.Count; i++)
            {
                Assert.Equal(components[i].CountForeground(), ShoelaceArea(polygons[i]));
            }
        }
    }

    [Fact]
    public void Empty_mask_has_no_polygons()
    {
        Assert.Empty(Contours.OuterPolygons(new BinaryMask(4, 6)));
        Assert.Empty(Contours.OuterPolygons(new BinaryMask(0, 0)));
    }

    [Fact]
    public void Livecell_val_cells_rasterised_by_pycocotools_rules_round_trip_through_contours()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestData.LivecellSample, "annotations", "livecell_coco_val.json")));
        var cells = 0;
        foreach (var annotation in json.RootElement.GetProperty("annotations").EnumerateArray())
        {
            var polygon = annotation.GetProperty("segmentation")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();

            // Rasterise in a small canvas around the cell: an integer shift keeps pycocotools' rounding unchanged.
            var xs = polygon.Where((_, i) => i % 2 == 0).ToArray();
            var ys = polygon.Where((_, i) => i % 2 == 1).ToArray();
            int ox = (int)Math.Floor(xs.Min()) - 2, oy = (int)Math.Floor(ys.Min()) - 2;
            int width = (int)Math.Ceiling(xs.Max()) - ox + 3, height = (int)Math.Ceiling(ys.Max()) - oy + 3;
            var local = polygon.Select((v, i) => i % 2 == 0 ? v - ox : v - oy).ToArray();
            var mask = Rle.FromPolygon(local, height, width).Decode();

            var back = MaskTestShapes.Rasterise(Contours.OuterPolygons(mask), height, width);

            Assert.Equal(MaskTestShapes.Render(MaskTestShapes.FillHoles(mask)), MaskTestShapes.Render(back));
            cells++;
        }

        Assert.Equal(1243, cells);
    }

    private static double ShoelaceArea(double[] polygon)
    {
        var n = polygon.Length / 2;
        double twice = 0;
        for (var i = 0; i < n; i++)
        {
            var j = (i + 1) % n;
            twice += polygon[2 * i] * polygon[2 * j + 1] - polygon[2 * j] * polygon[2 * i + 1];
        }

        return Math.Abs(twice) / 2;
    }
}
