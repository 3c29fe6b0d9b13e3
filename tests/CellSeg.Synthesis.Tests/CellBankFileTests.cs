using CellSeg.Data;

namespace CellSeg.Synthesis.Tests;

public sealed class CellBankFileTests
{
    [Fact]
    public async Task A_saved_bank_loads_back_and_generates_the_same_bytes()
    {
        var (bank, _, _) = await RealBank.GetAsync();
        var path = Path.Combine(TestPaths.NewTempFolder(), "bank.bin");
        await CellBankFile.SaveAsync(bank, path);
        var loaded = await CellBankFile.LoadAsync(path);

        Assert.Equal(bank.CellTypes, loaded.CellTypes);
        Assert.Equal(bank.Count, loaded.Count);
        foreach (var type in bank.CellTypes)
        {
            Assert.Equal(bank.CellsPerImageOf(type), loaded.CellsPerImageOf(type));
            Assert.Equal(bank.ExclusionsOf(type), loaded.ExclusionsOf(type));
            Assert.Equal(bank.BackgroundsOf(type).Select(b => b.Pixels), loaded.BackgroundsOf(type).Select(b => b.Pixels));
            Assert.Equal(bank.OriginalOf(type)!.Pixels, loaded.OriginalOf(type)!.Pixels);
            var a = bank.CellsOf(type);
            var b = loaded.CellsOf(type);
            for (var i = 0; i < a.Count; i++)
            {
                Assert.Equal((a[i].Width, a[i].Height, a[i].Area, a[i].SourceAnnotationId), (b[i].Width, b[i].Height, b[i].Area, b[i].SourceAnnotationId));
                Assert.Equal(a[i].Pixels, b[i].Pixels);
                Assert.Equal(a[i].Mask, b[i].Mask);
            }
        }

        var options = new SynthesisOptions { Width = 160, Height = 120, ImagesPerCellType = 1, Seed = 8 };
        var one = await SyntheticGenerator.GenerateAsync(bank, 50, options, TestPaths.NewTempFolder());
        var two = await SyntheticGenerator.GenerateAsync(loaded, 50, options, TestPaths.NewTempFolder());
        Assert.Equal(await File.ReadAllBytesAsync(one.AnnotationsPath), await File.ReadAllBytesAsync(two.AnnotationsPath));
    }

    [Fact]
    public async Task Other_or_damaged_files_are_refused_with_the_file_named()
    {
        var folder = TestPaths.NewTempFolder();
        var other = Path.Combine(folder, "other.bin");
        await File.WriteAllTextAsync(other, "{\"images\": []}");
        Assert.Contains("not a CellSegFlows cell bank", (await Assert.ThrowsAsync<DataFormatException>(() => CellBankFile.LoadAsync(other))).Message);

        var (bank, _, _) = await RealBank.GetAsync();
        var path = Path.Combine(folder, "bank.bin");
        await CellBankFile.SaveAsync(bank, path);
        var bytes = await File.ReadAllBytesAsync(path);
        var cut = Path.Combine(folder, "cut.bin");
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length / 2)]);
        var error = await Assert.ThrowsAsync<DataFormatException>(() => CellBankFile.LoadAsync(cut));
        Assert.Contains("cut.bin", error.Message);
        Assert.Contains("truncated", error.Message);
    }
}
