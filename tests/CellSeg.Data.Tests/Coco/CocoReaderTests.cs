using CellSeg.Data.Coco;

namespace CellSeg.Data.Tests.Coco;

public sealed class CocoReaderTests
{
    [Fact]
    public async Task Real_livecell_files_parse_with_their_documented_counts()
    {
        var test = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var val = await CocoReader.LoadAsync(TestPaths.ValAnnotations);

        Assert.Equal(15, test.Images.Count);
        Assert.Equal(3285, test.Annotations.Count);
        Assert.Equal(5, val.Images.Count);
        Assert.Equal(1243, val.Annotations.Count);
        Assert.Equal(768, test.Images.Max(i => test.AnnotationsOf(i.Id).Count));
        Assert.Equal(42, test.Images.Min(i => test.AnnotationsOf(i.Id).Count));
        var category = Assert.Single(test.Categories);
        Assert.Equal((1, "cell"), (category.Id, category.Name));
        Assert.All(test.Images, i => Assert.Equal((704, 520), (i.Width, i.Height)));
        Assert.Contains("info", test.OtherFieldsJson.Keys);
        Assert.Empty(test.Issues);
        var first = test.Images[0];
        Assert.NotNull(first.ExtraJson);
        Assert.Contains("original_filename", first.ExtraJson!.Keys);
    }

    [Fact]
    public async Task Reading_reports_progress_up_to_the_file_size()
    {
        var reports = new List<ReadProgress>();
        await CocoReader.LoadAsync(TestPaths.TestAnnotations, new CocoReadOptions { Progress = new SyncProgress<ReadProgress>(reports.Add) });
        Assert.NotEmpty(reports);
        var last = reports[^1];
        Assert.Equal(new FileInfo(TestPaths.TestAnnotations).Length, last.TotalBytes);
        Assert.Equal(last.TotalBytes, last.BytesRead);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.BytesRead <= p.Second.BytesRead));
    }

    [Fact]
    public async Task Write_then_read_keeps_every_record_and_coordinate()
    {
        var original = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var folder = TestPaths.NewTempFolder();
        var path = Path.Combine(folder, "copy.json");

        await CocoWriter.WriteDatasetAsync(original, path);
        var copy = await CocoReader.LoadAsync(path);

        Assert.Equal(original.Images, copy.Images, (a, b) => a.Id == b.Id && a.FileName == b.FileName && a.Width == b.Width && a.Height == b.Height && a.ExtraJson!.SequenceEqual(b.ExtraJson!));
        Assert.Equal(original.Annotations.Count, copy.Annotations.Count);
        for (var i = 0; i < original.Annotations.Count; i++)
        {
            var a = original.Annotations[i];
            var b = copy.Annotations[i];
            Assert.Equal((a.Id, a.ImageId, a.CategoryId, a.Area, a.Bbox, a.IsCrowd), (b.Id, b.ImageId, b.CategoryId, b.Area, b.Bbox, b.IsCrowd));
            Assert.Equal(((PolygonSegmentation)a.Segmentation).Polygons[0], ((PolygonSegmentation)b.Segmentation).Polygons[0]);
        }

        Assert.Equal(original.OtherFieldsJson["info"], copy.OtherFieldsJson["info"]);
        Assert.Single(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task Records_larger_than_the_read_buffer_are_read_whole()
    {
        // One polygon of 200,000 points is far larger than the 1 MiB starting buffer.
        var xy = new List<string>();
        for (var i = 0; i < 200_000; i++)
        {
            var t = 2 * Math.PI * i / 200_000;
            xy.Add($"{50 + 40 * Math.Cos(t):0.00},{50 + 40 * Math.Sin(t):0.00}");
        }

        var path = Write($$"""{"images":[{"id":1,"file_name":"a.tif","width":100,"height":100}],"annotations":[{"id":2,"image_id":1,"category_id":1,"segmentation":[[{{string.Join(",", xy)}}]],"area":5026.5,"bbox":[10,10,80,80],"iscrowd":0}],"categories":[{"id":1,"name":"cell"}]}""");
        var dataset = await CocoReader.LoadAsync(path);
        var polygon = ((PolygonSegmentation)Assert.Single(dataset.Annotations).Segmentation).Polygons[0];
        Assert.Equal(400_000, polygon.Length);
    }

    [Fact]
    public async Task Annotations_before_images_are_accepted()
    {
        var path = Write("""{"annotations":[{"id":2,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":8,"iscrowd":0}],"categories":[{"id":1,"name":"cell"}],"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}]}""");
        var dataset = await CocoReader.LoadAsync(path);
        Assert.Single(dataset.Annotations);
        Assert.Equal(new CellSeg.Data.Masks.BoundingBox(1, 1, 4, 4), dataset.Annotations[0].Bbox);
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1]],"area":1}]}""", "annotation 7", "polygon 0 has 2 points; a polygon needs at least 3" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5]],"area":1}]}""", "annotation 7", "odd number of coordinates" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"category_id":1,"segmentation":[[1,1,15,1,5,5]],"area":1}]}""", "annotation 7", "point 1 (15, 1) lies outside image 1 (10x10)" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":3,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":1}]}""", "annotation 7", "refers to image 3, which is not in the file" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10},{"id":1,"file_name":"b.tif","width":10,"height":10}],"annotations":[]}""", "image 1", "duplicate image id" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":1},{"id":7,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":1}]}""", "annotation 7", "duplicate annotation id" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":"one","category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":1}]}""", "annotation 7", "field 'image_id' must be an integer, found a string" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"segmentation":[[1,1,5,1,5,5]],"area":1}]}""", "annotation 7", "field 'category_id' is missing" },
        { """{"images":[{"id":1,"file_name":"a.tif","height":10}],"annotations":[]}""", "image 1", "field 'width' is missing" },
        { """{"images":[{"id":1,"file_name":"/etc/shadow","width":10,"height":10}],"annotations":[]}""", "image 1", "field 'file_name' '/etc/shadow' must be a relative path inside the images folder" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":100000,"height":100000}],"annotations":[]}""", "image 1", "field 'width' is 100,000 pixels, more than the limit of 32,768 a side" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":20000,"height":20000}],"annotations":[]}""", "image 1", "is 20,000×20,000 = 400,000,000 pixels, more than the limit of 268,435,456 per image" },
        { """{"images":[{"id":1,"file_name":"A172/../../../etc/passwd","width":10,"height":10}],"annotations":[]}""", "image 1", "no '..'" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"category_id":1,"segmentation":{"size":[10,10],"counts":"!!"},"area":1}]}""", "annotation 7", "invalid character '!'" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"category_id":1,"segmentation":{"size":[10,10],"counts":[5,5]},"area":1}]}""", "annotation 7", "RLE runs cover 10 pixels but size 10x10 has 100" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":1,"iscrowd":2}]}""", "annotation 7", "field 'iscrowd' must be 0 or 1, found 2" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}]}""", "", "the top-level field 'annotations' is missing" },
        { """[{"image_id":1}]""", "", "holds a list (is it a results file?)" },
        { """{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"annotations":[{"id":7,""", "", "ends in the middle of a JSON value" },
        { """{"images":[{"id":1,"file_name":"a.tif" "width":10}],"annotations":[]}""", "line 1, column 40", "malformed JSON" },
    };

    [Fact]
    public async Task An_image_with_more_objects_than_the_limit_stops_the_read_naming_the_image()
    {
        const string annotation = """{"id":ID,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":8}""";
        var gt = Write("""{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"categories":[{"id":1,"name":"cell"}],"annotations":["""
            + string.Join(",", Enumerable.Range(1, 3).Select(i => annotation.Replace("ID", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))) + "]}");
        var limited = new CocoReadOptions { MaxObjectsPerImage = 2 };
        var error = await Assert.ThrowsAsync<DataFormatException>(() => CocoReader.LoadAsync(gt, limited));
        Assert.Equal("image 1", error.Record);
        Assert.Contains("has more than 2 annotations, the limit per image", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await CocoReader.LoadAsync(gt)).Annotations.Count);

        var results = Write("[" + string.Join(",", Enumerable.Repeat("""{"image_id":1,"category_id":1,"bbox":[1,1,2,2],"score":0.5}""", 3)) + "]");
        var detections = await Assert.ThrowsAsync<DataFormatException>(() => CocoReader.LoadDetectionsAsync(results, null, limited));
        Assert.Contains("has more than 2 detections", detections.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Bad_input_names_the_file_the_record_and_the_reason(string json, string record, string reason)
    {
        var path = Write(json);
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => CocoReader.LoadAsync(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message);
        Assert.Contains(reason, ex.Message);
        if (record.Length > 0)
        {
            Assert.Equal(record, ex.Record);
        }
    }

    [Fact]
    public async Task Lenient_mode_skips_bad_records_and_lists_them()
    {
        var path = Write("""
            {"images":[{"id":1,"file_name":"a.tif","width":10,"height":10},{"id":1,"file_name":"dup.tif","width":10,"height":10},{"id":2,"file_name":"b.tif"}],
             "categories":[{"id":1,"name":"cell"}],
             "annotations":[
               {"id":10,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":8,"iscrowd":0},
               {"id":11,"image_id":1,"category_id":1,"segmentation":[[1,1,5,1]],"area":8,"iscrowd":0},
               {"id":12,"image_id":9,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":8,"iscrowd":0},
               {"id":13,"image_id":1,"category_id":4,"segmentation":[[1,1,5,1,5,5]],"area":8,"iscrowd":0},
               {"id":14,"image_id":1,"category_id":1,"segmentation":[[1,1,50,1,5,5]],"area":8,"iscrowd":0},
               {"id":15,"image_id":1,"category_id":1,"segmentation":[[2,2,6,2,6,6]],"area":8,"iscrowd":0}
             ]}
            """);
        var dataset = await CocoReader.LoadAsync(path, new CocoReadOptions { Lenient = true });

        Assert.Equal([10L, 15L], dataset.Annotations.Select(a => a.Id));
        Assert.Equal([1L], dataset.Images.Select(i => i.Id));
        var issues = dataset.Issues.Select(i => i.Record).ToArray();
        Assert.Equal(["image 1", "image 2", "annotation 11", "annotation 12", "annotation 13", "annotation 14"], issues);
        Assert.Equal("field 'width' is missing", dataset.Issues[1].Reason);
    }

    [Fact]
    public async Task Missing_file_is_a_clear_error()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "nope.json");
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => CocoReader.LoadAsync(path));
        Assert.Equal($"{path}: file not found", ex.Message);
    }

    [Fact]
    public async Task Results_files_are_read_and_checked_against_the_ground_truth()
    {
        var gt = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var results = await CocoReader.LoadDetectionsAsync(Path.Combine(TestPaths.Reference, "pred_noisy.json"), gt);
        Assert.Equal(2999, results.Detections.Count);
        Assert.All(results.Detections, d => Assert.IsType<RleSegmentation>(d.Segmentation));

        var bad = Write("""[{"image_id":117083,"category_id":1,"score":0.5,"bbox":[1,2,3,4]},{"image_id":42,"category_id":1,"score":0.5,"bbox":[1,2,3,4]}]""");
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => CocoReader.LoadDetectionsAsync(bad, gt));
        Assert.Equal("result 1", ex.Record);
        Assert.Contains("refers to image 42, which is not in the ground truth", ex.Message);

        var lenient = await CocoReader.LoadDetectionsAsync(bad, gt, new CocoReadOptions { Lenient = true });
        Assert.Single(lenient.Detections);
        Assert.Equal("result 1", Assert.Single(lenient.Issues).Record);
    }

    [Fact]
    public async Task Detection_writer_round_trips_masks_and_scores()
    {
        var results = await CocoReader.LoadDetectionsAsync(Path.Combine(TestPaths.Reference, "holdout", "val_pred_hard.json"));
        var path = Path.Combine(TestPaths.NewTempFolder(), "out.json");
        await CocoWriter.WriteDetectionsAsync(results.Detections, path);
        var again = await CocoReader.LoadDetectionsAsync(path);
        Assert.Equal(results.Detections.Count, again.Detections.Count);
        for (var i = 0; i < results.Detections.Count; i++)
        {
            var a = results.Detections[i];
            var b = again.Detections[i];
            Assert.Equal((a.ImageId, a.Score), (b.ImageId, b.Score));
            Assert.Equal(((RleSegmentation)a.Segmentation!).Rle.ToCompressedString(), ((RleSegmentation)b.Segmentation!).Rle.ToCompressedString());
        }
    }

    private static string Write(string json)
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "file.json");
        File.WriteAllText(path, json);
        return path;
    }
}
