using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

public class FusedRasteriserTests
{
    private static double[] RandomPolygon(Random random, int vertices, int height, int width, bool snapToQuarters)
    {
        var xy = new double[vertices * 2];
        for (var i = 0; i < vertices; i++)
        {
            // Reach a few pixels outside the image on every side, where the clamping rules apply.
            var x = random.NextDouble() * (width + 6) - 3;
            var y = random.NextDouble() * (height + 6) - 3;
            xy[2 * i] = snapToQuarters ? Math.Round(x * 4) / 4 : x;
            xy[2 * i + 1] = snapToQuarters ? Math.Round(y * 4) / 4 : y;
        }

        return xy;
    }

    [Theory]
    [InlineData(1, 3, 12, 9, false)]
    [InlineData(2, 5, 20, 31, false)]
    [InlineData(3, 12, 40, 40, true)]
    [InlineData(4, 40, 17, 60, true)]
    [InlineData(5, 700, 30, 30, false)]
    public void Random_polygons_rasterise_exactly_as_the_two_pass_transcription(int seed, int vertices, int height, int width, bool snap)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 400; trial++)
        {
            var xy = RandomPolygon(random, vertices, height, width, snap);

            var expected = TwoPassRasteriser.Rasterise(xy, height, width);
            var actual = Rle.FromPolygon(xy, height, width);

            Assert.Equal(expected.Counts.ToArray(), actual.Counts.ToArray());
        }
    }

    [Theory]
    [InlineData(11, 8)]
    [InlineData(12, 30)]
    [InlineData(13, 90)]
    public void Cell_like_outlines_rasterise_exactly_as_the_two_pass_transcription(int seed, int vertices)
    {
        // Star-shaped outlines around a centre, as cells are: few sorted runs of crossings, some jagged.
        var random = new Random(seed);
        for (var trial = 0; trial < 400; trial++)
        {
            double cx = random.NextDouble() * 40, cy = random.NextDouble() * 30, radius = 2 + random.NextDouble() * 12;
            var jitter = random.NextDouble() * 0.6;
            var xy = new double[vertices * 2];
            for (var i = 0; i < vertices; i++)
            {
                var angle = 2 * Math.PI * i / vertices;
                var r = radius * (1 - jitter * random.NextDouble());
                xy[2 * i] = cx + r * Math.Cos(angle);
                xy[2 * i + 1] = cy + r * Math.Sin(angle);
            }

            Assert.Equal(TwoPassRasteriser.Rasterise(xy, 30, 40).Counts.ToArray(), Rle.FromPolygon(xy, 30, 40).Counts.ToArray());
        }
    }

    [Fact]
    public void Repeated_vertices_axis_aligned_edges_and_points_outside_the_image_rasterise_as_the_two_pass_transcription()
    {
        double[][] polygons =
        [
            [2, 2, 2, 2, 8, 2, 8, 2, 8, 7, 2, 7],
            [-4, -4, 30, -4, 30, 30, -4, 30],
            [0, 0, 0, 0, 0, 0],
            [1.5, 1.5, 3.5, 1.5, 3.5, 3.5, 1.5, 3.5],
            [9.9, 0.1, 0.1, 9.9, 0.1, 0.1],
            [5, -2.6, 5.2, 12.7, 4.8, 3],
            [0.4, 0.4, 0.6, 0.4, 0.6, 0.6, 0.4, 0.6],
        ];
        foreach (var xy in polygons)
        {
            Assert.Equal(TwoPassRasteriser.Rasterise(xy, 10, 10).Counts.ToArray(), Rle.FromPolygon(xy, 10, 10).Counts.ToArray());
        }
    }
}
