using CellSeg.Data.Livecell;

namespace CellSeg.Data.Tests.Livecell;

public sealed class LivecellImageNameTests
{
    [Fact]
    public void Name_parses_into_cell_type_well_location_elapsed_time_and_crop()
    {
        var name = LivecellImageName.Parse("SkBr3_Phase_H3_2_02d16h00m_4.tif");

        Assert.Equal(new LivecellImageName("SkBr3", "H3", 2, new TimeSpan(2, 16, 0, 0), 4), name);
    }

    [Fact]
    public void Minutes_and_two_digit_wells_parse_and_the_name_formats_back()
    {
        var name = LivecellImageName.Parse("images/Huh7_Phase_A10_1_00d20h30m_3.tif");

        Assert.Equal("A10", name.Well);
        Assert.Equal(TimeSpan.FromMinutes(20 * 60 + 30), name.Elapsed);
        Assert.Equal("Huh7_Phase_A10_1_00d20h30m_3.tif", name.ToFileName());
        Assert.Equal("Huh7_Phase_A10_1_00d20h30m_3.png", name.ToFileName(".png"));
    }

    [Fact]
    public void Every_sample_image_name_parses_and_formats_back_unchanged()
    {
        var files = Directory.EnumerateFiles(TestData.LivecellSample, "*.tif", SearchOption.AllDirectories).ToList();

        Assert.Equal(53, files.Count);
        Assert.All(files, file => Assert.Equal(Path.GetFileName(file), LivecellImageName.Parse(file).ToFileName()));
    }

    [Theory]
    [InlineData("SkBr3_Phase_H3_2_02d16h00m.tif")]
    [InlineData("SkBr3_Bright_H3_2_02d16h00m_4.tif")]
    [InlineData("SkBr3_Phase_H3_2_2d16h00m_4.tif")]
    [InlineData("SkBr3_Phase_H3_2_02d25h00m_4.tif")]
    [InlineData("skbr3_Phase_H3_2_02d16h00m_4.tif")]
    [InlineData("Hela_Phase_H3_2_02d16h00m_4.tif")]
    public void Malformed_name_does_not_parse(string fileName)
    {
        Assert.False(LivecellImageName.TryParse(fileName, out var name));
        Assert.Null(name);
        var error = Assert.Throws<DataFormatException>(() => LivecellImageName.Parse(fileName));
        Assert.Equal(fileName, error.FilePath);
    }
}
