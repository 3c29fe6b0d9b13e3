using CellSeg.Data.Livecell;

namespace CellSeg.Data.Tests.Livecell;

public sealed class LivecellLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Sample_layout_finds_its_flat_test_and_val_annotation_files()
    {
        var layout = new LivecellLayout(TestData.LivecellSample);

        Assert.Equal(Path.Combine(layout.Root, "annotations", "livecell_coco_test.json"), layout.FindAnnotationFile(LivecellSplit.Test));
        Assert.Equal(Path.Combine(layout.Root, "annotations", "livecell_coco_val.json"), layout.FindAnnotationFile(LivecellSplit.Val));
    }

    [Fact]
    public void Missing_train_annotations_name_every_place_looked_at()
    {
        var layout = new LivecellLayout(TestData.LivecellSample);

        var error = Assert.Throws<FileNotFoundException>(() => layout.FindAnnotationFile(LivecellSplit.Train));

        Assert.False(layout.TryFindAnnotationFile(LivecellSplit.Train, out _));
        Assert.Contains($"livecell_coco_train.json anywhere under {Path.Combine(layout.Root, "annotations", "LIVECell")}", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(layout.Root, "annotations", "livecell_coco_train.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(layout.Root, "livecell_coco_train.json"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_cell_type_annotations_name_the_official_path()
    {
        var layout = new LivecellLayout(TestData.LivecellSample);

        var error = Assert.Throws<FileNotFoundException>(() => layout.FindCellTypeAnnotationFile(CellTypes.SkBr3, LivecellSplit.Val));

        Assert.Contains(Path.Combine(layout.Root, "annotations", "LIVECell_single_cells", "skbr3", "val.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("livecell_skbr3_val.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_sample_image_resolves_in_the_folder_of_its_split()
    {
        var layout = new LivecellLayout(TestData.LivecellSample);
        var rows = File.ReadLines(Path.Combine(layout.Root, "MANIFEST.tsv"))
            .Skip(1)
            .Select(line => line.Split('\t'))
            .Where(columns => columns[0].EndsWith(".tif", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(52, rows.Count);
        foreach (var columns in rows)
        {
            var split = columns[4] switch
            {
                "test" => LivecellSplit.Test,
                "val" => LivecellSplit.Val,
                _ => LivecellSplit.Train,
            };
            var expected = Path.Combine(layout.Root, columns[0]);
            var name = Path.GetFileName(columns[0]);

            Assert.Equal(expected, layout.ResolveImage(name, split));
            Assert.Equal(expected, layout.ResolveImage(name));
        }
    }

    [Fact]
    public void Image_in_the_wrong_split_is_not_found_and_the_paths_tried_are_named()
    {
        var layout = new LivecellLayout(TestData.LivecellSample);
        const string testImage = "SKOV3_Phase_E4_2_00d08h00m_4.tif";

        var error = Assert.Throws<FileNotFoundException>(() => layout.ResolveImage(testImage, LivecellSplit.Train));

        Assert.Contains(Path.Combine(layout.Root, "images", "livecell_train_val_images", testImage), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(layout.Root, "images", "livecell_train_val_images", "SKOV3", testImage), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_dataset_folder_is_named()
    {
        var missing = Path.Combine(_temp.Path, "nowhere");

        var error = Assert.Throws<DirectoryNotFoundException>(() => new LivecellLayout(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Official_layout_with_nested_wide_files_single_cell_files_and_cell_type_subfolders_resolves()
    {
        var root = _temp.Path;
        var train = Touch("LIVECell_dataset_2021", "annotations", "LIVECell", "livecell_coco_train.json");
        var val = Touch("LIVECell_dataset_2021", "annotations", "LIVECell", "livecell_coco_val.json");
        var a172Test = Touch("LIVECell_dataset_2021", "annotations", "LIVECell_single_cells", "a172", "test.json");
        var image = Touch("LIVECell_dataset_2021", "images", "livecell_train_val_images", "SkBr3", "SkBr3_Phase_E3_1_02d20h00m_2.tif");
        var testImage = Touch("LIVECell_dataset_2021", "images", "livecell_test_images", "SHSY5Y", "SHSY5Y_Phase_A10_1_01d08h00m_2.tif");
        var layout = new LivecellLayout(Path.Combine(root, "LIVECell_dataset_2021"));

        Assert.Equal(train, layout.FindAnnotationFile(LivecellSplit.Train));
        Assert.Equal(val, layout.FindAnnotationFile(LivecellSplit.Val));
        Assert.Equal(a172Test, layout.FindCellTypeAnnotationFile(CellTypes.A172, LivecellSplit.Test));
        Assert.Equal(image, layout.ResolveImage("SkBr3_Phase_E3_1_02d20h00m_2.tif", LivecellSplit.Train));
        Assert.Equal(testImage, layout.ResolveImage("SHSY5Y_Phase_A10_1_01d08h00m_2.tif"));
    }

    [Fact]
    public void Wide_file_deeper_under_annotations_LIVECell_is_found()
    {
        var test = Touch("annotations", "LIVECell", "2021", "livecell_coco_test.json");

        Assert.Equal(test, new LivecellLayout(_temp.Path).FindAnnotationFile(LivecellSplit.Test));
    }

    [Fact]
    public void Two_wide_files_under_annotations_LIVECell_are_an_error_naming_both()
    {
        var first = Touch("annotations", "LIVECell", "a", "livecell_coco_val.json");
        var second = Touch("annotations", "LIVECell", "b", "livecell_coco_val.json");

        var error = Assert.Throws<DataFormatException>(() => new LivecellLayout(_temp.Path).FindAnnotationFile(LivecellSplit.Val));

        Assert.Contains(first, error.Message, StringComparison.Ordinal);
        Assert.Contains(second, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kaggle_cell_type_file_names_are_found_in_the_cell_type_folder_or_flat()
    {
        var shsy5yTrain = Touch("annotations", "LIVECell_single_cells", "shsy5y", "livecell_shsy5y_train.json");
        var bt474Val = Touch("annotations", "livecell_bt474_val.json");
        var mcf7Test = Touch("livecell_mcf7_test.json");
        var layout = new LivecellLayout(_temp.Path);

        Assert.Equal(shsy5yTrain, layout.FindCellTypeAnnotationFile(CellTypes.SHSY5Y, LivecellSplit.Train));
        Assert.Equal(bt474Val, layout.FindCellTypeAnnotationFile(CellTypes.BT474, LivecellSplit.Val));
        Assert.Equal(mcf7Test, layout.FindCellTypeAnnotationFile(CellTypes.MCF7, LivecellSplit.Test));
        Assert.True(layout.TryFindCellTypeAnnotationFile(CellTypes.MCF7, LivecellSplit.Test, out var found));
        Assert.Equal(mcf7Test, found);
        Assert.False(layout.TryFindCellTypeAnnotationFile(CellTypes.MCF7, LivecellSplit.Train, out _));
    }

    [Fact]
    public void Official_single_cell_name_wins_over_the_Kaggle_name()
    {
        var official = Touch("annotations", "LIVECell_single_cells", "huh7", "val.json");
        Touch("annotations", "LIVECell_single_cells", "huh7", "livecell_huh7_val.json");

        Assert.Equal(official, new LivecellLayout(_temp.Path).FindCellTypeAnnotationFile(CellTypes.Huh7, LivecellSplit.Val));
    }

    [Fact]
    public void Upper_cased_cell_type_subfolder_resolves()
    {
        var image = Touch("images", "livecell_train_val_images", "SKBR3", "SkBr3_Phase_H3_2_02d16h00m_4.tif");

        Assert.Equal(image, new LivecellLayout(_temp.Path).ResolveImage("SkBr3_Phase_H3_2_02d16h00m_4.tif", LivecellSplit.Val));
    }

    [Fact]
    public void Unknown_cell_type_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => new LivecellLayout(_temp.Path).FindCellTypeAnnotationFile("skbr3", LivecellSplit.Val));
    }

    [Fact]
    public void Missing_image_folder_is_named()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => new LivecellLayout(_temp.Path).GetImageFolder(LivecellSplit.Test));

        Assert.Contains(Path.Combine(_temp.Path, "images", "livecell_test_images"), error.Message, StringComparison.Ordinal);
    }

    /// <summary>Creates a tiny placeholder file (content is never read by the layout).</summary>
    private string Touch(params string[] parts)
    {
        var path = _temp.File(parts);
        File.WriteAllText(path, "{}");
        return path;
    }

    [Fact]
    public void An_image_is_found_as_named_then_flat_then_in_its_cell_type_subfolder_in_any_letter_case()
    {
        var folder = _temp.Path;
        const string name = "SkBr3_Phase_E3_1_02d20h00m_2.tif";
        Directory.CreateDirectory(Path.Combine(folder, "SKBR3"));
        var inSubfolder = Path.Combine(folder, "SKBR3", name);
        File.WriteAllBytes(inSubfolder, [1]);

        Assert.True(LivecellLayout.TryResolveImageIn(folder, name, out var found));
        Assert.Equal(inSubfolder, found);

        var flat = Path.Combine(folder, name);
        File.WriteAllBytes(flat, [1]);
        Assert.True(LivecellLayout.TryResolveImageIn(folder, Path.Combine("elsewhere", name), out found));
        Assert.Equal(flat, found);

        Directory.CreateDirectory(Path.Combine(folder, "elsewhere"));
        var asNamed = Path.Combine(folder, "elsewhere", name);
        File.WriteAllBytes(asNamed, [1]);
        Assert.True(LivecellLayout.TryResolveImageIn(folder, Path.Combine("elsewhere", name), out found));
        Assert.Equal(asNamed, found);
    }

    [Fact]
    public void A_missing_image_lists_every_path_looked_at()
    {
        var tried = new List<string>();
        const string name = "A172_Phase_A7_1_00d00h00m_1.tif";

        Assert.False(LivecellLayout.TryResolveImageIn(_temp.Path, name, out var found, tried));
        Assert.Null(found);
        Assert.Equal([Path.Combine(_temp.Path, name), Path.Combine(_temp.Path, "A172", name) + " (no such subfolder)"], tried);

        tried.Clear();
        Assert.False(LivecellLayout.TryResolveImageIn(Path.Combine(_temp.Path, "absent"), name, out _, tried));
        Assert.Equal([Path.Combine(_temp.Path, "absent") + Path.DirectorySeparatorChar + " (folder missing)"], tried);
    }
}
