using System.Text;
using CellSeg.Data.Coco;

namespace CellSeg.Data.Tests.Coco;

public class AnnotationFastPathTests
{
    private const string Polygon = "[[464.13, 178.71, 464.85, 177.42, 465.58, 176.29, 1e1, 2.5E-1]]";

    public static TheoryData<string> Accepted => new()
    {
        $$"""{"id": 4417, "image_id": 1, "category_id": 1, "segmentation": {{Polygon}}, "area": 1058.6696999995038, "bbox": [463.73, 170.96, 32.839999999999975, 42.76999999999998], "iscrowd": 0}""",
        """{"id":-0,"image_id":123456789012345678,"category_id":-7,"segmentation":[[1,2,3,4,5,6],[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]],"area":0,"iscrowd":1}""",
        "{\n \"segmentation\" :\t[ [ 1 , 2 ,3,4 , 5,6 ] ] ,\r\n \"area\": 12345678901234567890.5, \"category_id\": 2147483647, \"image_id\": 3, \"id\": 9 }",
        """{"id":1,"image_id":1,"category_id":1,"segmentation":[[0.30000000000000004,1e-7,-2.5,1E+2,7,8]],"area":1.7976931348623157e308}""",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Usual_annotations_parse_to_exactly_what_the_general_parser_gives(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var fast = AnnotationFastPath.TryParse(bytes);
        var general = CocoRecordParser.AnnotationGeneral(bytes, 0);

        Assert.NotNull(fast);
        Assert.True(general.Ok, general.Problem);
        var g = general.Value!;
        Assert.Equal((g.Id, g.ImageId, g.CategoryId, g.IsCrowd), (fast.Id, fast.ImageId, fast.CategoryId, fast.IsCrowd));
        Assert.Equal(BitConverter.DoubleToInt64Bits(g.Area), BitConverter.DoubleToInt64Bits(fast.Area));
        Assert.Equal(g.Bbox, fast.Bbox);
        var gp = ((PolygonSegmentation)g.Segmentation).Polygons;
        var fp = ((PolygonSegmentation)fast.Segmentation).Polygons;
        Assert.Equal(gp.Count, fp.Count);
        for (var i = 0; i < gp.Count; i++)
        {
            Assert.Equal(gp[i].Select(BitConverter.DoubleToInt64Bits), fp[i].Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Theory]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,4.5e10]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1,"bbox":[1,1,1e300,2]}""")]
    public void Coordinates_beyond_the_limit_are_left_to_the_general_parser_which_refuses_them(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Null(AnnotationFastPath.TryParse(bytes));
        var general = CocoRecordParser.AnnotationGeneral(bytes, 0);
        Assert.False(general.Ok);
        Assert.Contains("outside ±1,048,576", general.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_numbers_in_every_notation_convert_as_the_general_parser_converts_them()
    {
        var random = new Random(3);
        string[] formats = ["R", "F2", "F6", "E16", "e3", "G17", "0.###############"];
        for (var trial = 0; trial < 200; trial++)
        {
            var numbers = Enumerable.Range(0, 60).Select(_ =>
            {
                var value = Math.Pow(10, random.Next(-12, 7)) * random.NextDouble() * (random.Next(2) == 0 ? -1 : 1);   // within ±2^20, the coordinate limit
                return value.ToString(formats[random.Next(formats.Length)], System.Globalization.CultureInfo.InvariantCulture);
            });
            Usual_annotations_parse_to_exactly_what_the_general_parser_gives(
                $$"""{"id":1,"image_id":1,"category_id":1,"segmentation":[[{{string.Join(",", numbers)}}]],"area":{{random.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}""");
        }
    }

    [Theory]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1,"extra":0}""")]
    [InlineData("""{"id":1,"id":2,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1}""")]
    [InlineData("""{"i\u0064":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":{"size":[2,2],"counts":[4]},"area":1}""")]
    [InlineData("""{"id":1.0,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":-1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1,"iscrowd":true}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1,"iscrowd":2}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1,"bbox":[1,2,3]}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":4294967296,"segmentation":[[1,2,3,4,5,6]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]]}""")]
    [InlineData("""{"id":01,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6.]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6,]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1,}""")]
    [InlineData("""{"id":1 "image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1}""")]
    [InlineData("""{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,2,3,4,5,6]],"area":1e999}""")]
    [InlineData("""[1,2]""")]
    public void Unusual_or_bad_annotations_are_left_to_the_general_parser(string json)
    {
        Assert.Null(AnnotationFastPath.TryParse(Encoding.UTF8.GetBytes(json)));
    }
}
