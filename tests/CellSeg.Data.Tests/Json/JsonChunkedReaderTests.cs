using System.Text;
using System.Text.Json;
using CellSeg.Data.Json;

namespace CellSeg.Data.Tests.Json;

public class JsonChunkedReaderTests
{
    private static List<string> Elements(string json)
    {
        var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        using var reader = new JsonChunkedReader(stream, "list.json", null, CancellationToken.None);
        Assert.Equal(JsonTokenType.StartArray, reader.ReadDocumentStart());
        var found = new List<string>();
        reader.ReadArrayElements((bytes, _) =>
        {
            // Parse each element fully, as the record parsers do, so malformed JSON inside it surfaces.
            var r = new Utf8JsonReader(bytes);
            r.Read();
            r.Skip();
            found.Add(Encoding.UTF8.GetString(bytes));
        });
        reader.ReadDocumentEnd();
        return found;
    }

    [Fact]
    public void Elements_come_out_whole_with_brackets_and_escaped_quotes_inside_strings()
    {
        var found = Elements("""[{"a":"}]\"{[","b":[1,{"c":2}]} , 7,"x",[1,[2]], null ]""");

        Assert.Equal(["""{"a":"}]\"{[","b":[1,{"c":2}]}""", "7", "\"x\"", "[1,[2]]", "null"], found);
    }

    [Fact]
    public void Comments_and_newlines_between_elements_are_skipped()
    {
        var found = Elements("[\n  {\"a\":1}, // one\n /* two */ {\"a\":2}\r\n]");

        Assert.Equal(["{\"a\":1}", "{\"a\":2}"], found);
    }

    [Fact]
    public void Empty_list_has_no_elements()
    {
        Assert.Empty(Elements("[ ]"));
    }

    [Fact]
    public void Elements_split_across_buffer_refills_are_read_whole()
    {
        // The reader starts with a 1 MiB buffer; 3,000 elements of ~700 bytes cross it twice, and one
        // 1.5 MiB element forces it to grow.
        var filler = new string('x', 680);
        var big = new string('y', 3 << 19);
        var json = new StringBuilder("[");
        for (var i = 0; i < 3000; i++)
        {
            json.Append($$"""{"i":{{i}},"s":"{{filler}}"},""");
        }

        json.Append($$"""{"i":-1,"s":"{{big}}"}]""");
        var found = Elements(json.ToString());

        Assert.Equal(3001, found.Count);
        Assert.Equal($$"""{"i":2999,"s":"{{filler}}"}""", found[2999]);
        Assert.Equal(big.Length + 15, found[3000].Length);
    }

    [Theory]
    [InlineData("[{\"a\":1},]", "must not end with a comma")]
    [InlineData("[{\"a\":1} {\"a\":2}]", "expected ',' or ']'")]
    [InlineData("[{\"a\":1}", "ends in the middle of a JSON value")]
    [InlineData("[{\"a\":\"1}]", "ends in the middle of a JSON value")]
    public void Broken_lists_are_refused_with_the_reason(string json, string reason)
    {
        var ex = Assert.Throws<DataFormatException>(() => Elements(json));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_inside_an_element_names_its_line_and_column_in_the_file()
    {
        var ex = Assert.Throws<DataFormatException>(() => Elements("[{\"a\":1},\n  {\"a\":1,\n   \"b\" 2}]"));

        Assert.Equal("line 3, column 8", ex.Record);
        Assert.Contains("malformed JSON", ex.Message, StringComparison.Ordinal);
    }
}
