using CellSeg.Data.Livecell;

namespace CellSeg.Data.Tests.Livecell;

public sealed class CellTypesTests
{
    [Fact]
    public void The_eight_cell_lines_are_spelled_as_LIVECell_spells_them()
    {
        Assert.Equal(["A172", "BT474", "BV2", "Huh7", "MCF7", "SHSY5Y", "SkBr3", "SKOV3"], CellTypes.All);
    }

    [Theory]
    [InlineData("A172_Phase_C7_1_00d20h00m_4.tif", "A172")]
    [InlineData("BT474_Phase_D3_1_02d16h00m_1.tif", "BT474")]
    [InlineData("BV2_Phase_C4_2_02d20h00m_4.tif", "BV2")]
    [InlineData("Huh7_Phase_A12_1_02d12h00m_3.tif", "Huh7")]
    [InlineData("MCF7_Phase_H4_1_03d08h00m_4.tif", "MCF7")]
    [InlineData("SHSY5Y_Phase_A10_1_01d08h00m_2.tif", "SHSY5Y")]
    [InlineData("SkBr3_Phase_G3_2_00d16h00m_4.tif", "SkBr3")]
    [InlineData("/data/images/SKOV3/SKOV3_Phase_E4_2_00d08h00m_4.tif", "SKOV3")]
    public void Cell_type_is_the_file_name_prefix(string fileName, string expected)
    {
        Assert.Equal(expected, CellTypes.FromFileName(fileName));
        Assert.True(CellTypes.TryFromFileName(fileName, out var cellType));
        Assert.Equal(expected, cellType);
    }

    [Theory]
    [InlineData("SKBR3_Phase_G3_2_00d16h00m_4.tif")]
    [InlineData("huh7_Phase_A12_1_02d12h00m_3.tif")]
    [InlineData("HeLa_Phase_A1_1_00d00h00m_1.tif")]
    [InlineData("A172.tif")]
    [InlineData("")]
    public void Unknown_or_wrongly_cased_prefix_is_no_cell_type(string fileName)
    {
        Assert.False(CellTypes.TryFromFileName(fileName, out var cellType));
        Assert.Null(cellType);
        var error = Assert.Throws<DataFormatException>(() => CellTypes.FromFileName(fileName));
        Assert.Contains("SkBr3", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_sample_image_has_the_cell_type_its_manifest_gives()
    {
        var rows = File.ReadLines(Path.Combine(TestData.LivecellSample, "MANIFEST.tsv"))
            .Skip(1)
            .Select(line => line.Split('\t'))
            .Where(columns => columns[0].EndsWith(".tif", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(52, rows.Count);
        Assert.All(rows, columns => Assert.Equal(columns[5], CellTypes.FromFileName(columns[0])));
    }
}
