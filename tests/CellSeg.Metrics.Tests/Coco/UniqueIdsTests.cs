using CellSeg.Data.Coco;
using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Tests.Coco;

public class UniqueIdsTests
{
    [Fact]
    public void Ascending_ids_are_new_and_a_repeat_of_the_last_is_found()
    {
        var ids = new UniqueIds();
        Assert.True(ids.Add(-5));
        Assert.True(ids.Add(3));
        Assert.True(ids.Add(40));
        Assert.False(ids.Add(40));
    }

    [Fact]
    public void After_an_id_out_of_order_earlier_ids_are_still_remembered()
    {
        var ids = new UniqueIds();
        foreach (var id in new long[] { 10, 20, 30 })
        {
            Assert.True(ids.Add(id));
        }

        Assert.True(ids.Add(15));
        Assert.False(ids.Add(20));
        Assert.False(ids.Add(10));
        Assert.False(ids.Add(15));
        Assert.True(ids.Add(31));
        Assert.True(ids.Add(1));
    }

    [Fact]
    public void A_repeat_far_back_in_ascending_ids_is_found()
    {
        var ids = new UniqueIds();
        for (var id = 0; id < 10_000; id++)
        {
            Assert.True(ids.Add(id));
        }

        Assert.False(ids.Add(17));
    }
}

public class StreamingDuplicateIdTests
{
    [Fact]
    public async Task Streaming_load_names_an_annotation_that_repeats_an_earlier_id_among_ascending_ids()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "gt.json");
        var ids = Enumerable.Range(1, 2000).Select(i => (long)i).Append(1234).Append(2001);
        var annotations = string.Join(",", ids.Select(id => $$"""{"id":{{id}},"image_id":1,"category_id":1,"segmentation":[[1,1,5,1,5,5]],"area":8,"iscrowd":0}"""));
        await File.WriteAllTextAsync(path, $$"""{"images":[{"id":1,"file_name":"a.tif","width":10,"height":10}],"categories":[{"id":1,"name":"cell"}],"annotations":[{{annotations}}]}""");

        var ex = await Assert.ThrowsAsync<CellSeg.Data.DataFormatException>(() => EvalGroundTruth.LoadAsync(path, IouType.Segm));
        Assert.Equal("annotation 1234", ex.Record);
        Assert.Contains("duplicate annotation id", ex.Message);

        var lenient = await EvalGroundTruth.LoadAsync(path, IouType.Segm, new CocoReadOptions { Lenient = true });
        Assert.Equal(2001, lenient.ObjectCount);
        Assert.Equal(Enumerable.Range(1, 2001).Select(i => (long)i), lenient.ObjectsByImage[0].Select(o => o.Id));
    }
}
