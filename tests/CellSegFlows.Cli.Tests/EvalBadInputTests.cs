using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CellSegFlows.Cli.Tests;

/// <summary>
/// Bad and extreme input to <c>eval</c> ends in one line on standard error naming the file, the record and the reason,
/// and exit 2: never a stack trace, a crash, a hang or an allocation without bound. The last test fuzzes the readers.
/// </summary>
public sealed class EvalBadInputTests
{
    private const string Gt = """{"images":[{"id":1,"file_name":"A172_Phase_A7_1_00d00h00m_1.tif","width":64,"height":48}],"annotations":[{"id":1,"image_id":1,"category_id":1,"segmentation":[[1,1,20,1,20,20,1,20]],"area":361,"bbox":[1,1,19,19],"iscrowd":0}],"categories":[{"id":1,"name":"cell"}]}""";

    private static string Write(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // name, ground truth ("" = the small one above), predictions, what the error must say
        { "unknown image", "", """[{"image_id":7,"category_id":1,"segmentation":[[1,1,20,1,20,20]],"score":0.9}]""", "result 0: refers to image 7, which is not in the ground truth" },
        { "RLE of another size", "", """[{"image_id":1,"category_id":1,"segmentation":{"size":[10,10],"counts":"0d1"},"score":0.9}]""", "result 0" },
        { "polygon at 1e9", "", """[{"image_id":1,"category_id":1,"segmentation":[[1,1,1e9,1,1e9,1e9]],"score":0.9}]""", "result 0: field 'segmentation' polygon 0 holds the coordinate 1E+09, outside ±1,048,576" },
        { "polygon at -1e300", "", """[{"image_id":1,"category_id":1,"segmentation":[[1,1,-1e300,1,5,5]],"score":0.9}]""", "outside ±1,048,576" },
        { "box at 1e300", "", """[{"image_id":1,"category_id":1,"bbox":[1,1,1e300,1e300],"score":0.9}]""", "result 0: field 'bbox' holds the coordinate 1E+300" },
        { "image of 100000²", """{"images":[{"id":1,"file_name":"a.tif","width":100000,"height":100000}],"annotations":[],"categories":[{"id":1,"name":"cell"}]}""", """[{"image_id":1,"category_id":1,"segmentation":[[1,1,20,1,20,20]],"score":0.9}]""", "image 1: field 'width' is 100,000 pixels, more than the limit of 32,768 a side" },
        { "image of 32768×16384", """{"images":[{"id":1,"file_name":"a.tif","width":32768,"height":16384}],"annotations":[],"categories":[{"id":1,"name":"cell"}]}""", """[]""", "more than the limit of 268,435,456 per image" },
        { "image file name /etc/shadow", """{"images":[{"id":1,"file_name":"/etc/shadow","width":10,"height":10}],"annotations":[],"categories":[{"id":1,"name":"cell"}]}""", """[]""", "must be a relative path inside the images folder" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_one_line_on_stderr_and_exit_2(string name, string gt, string predictions, string expected)
    {
        var folder = TestPaths.NewTempFolder();
        var gtPath = Write(folder, "gt.json", gt.Length == 0 ? Gt : gt);
        var predPath = Write(folder, "pred.json", predictions);
        var (code, output, errors) = await CliRunner.RunSplitAsync("eval", "--gt", gtPath, "--pred", predPath);
        Assert.True(code == 2, $"{name}: exit {code}\n{output}\n{errors}");
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Contains(folder, line, StringComparison.Ordinal);   // names the file
        Assert.DoesNotContain("error", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_limits_are_options_of_eval()
    {
        var folder = TestPaths.NewTempFolder();
        var gtPath = Write(folder, "gt.json", Gt);
        var predPath = Write(folder, "pred.json", """[{"image_id":1,"category_id":1,"segmentation":[[1,1,20,1,20,20]],"score":0.9},{"image_id":1,"category_id":1,"segmentation":[[2,2,20,2,20,20]],"score":0.8}]""");
        var (side, _, sideErrors) = await CliRunner.RunSplitAsync("eval", "--gt", gtPath, "--pred", predPath, "--max-image-side", "60");
        Assert.Equal(2, side);
        Assert.Contains("field 'width' is 64 pixels, more than the limit of 60 a side", sideErrors, StringComparison.Ordinal);
        var (objects, _, objectErrors) = await CliRunner.RunSplitAsync("eval", "--gt", gtPath, "--pred", predPath, "--max-objects-per-image", "1");
        Assert.Equal(2, objects);
        Assert.Contains("image 1: has more than 1 detections", objectErrors, StringComparison.Ordinal);
        var (ok, _, _) = await CliRunner.RunSplitAsync("eval", "--gt", gtPath, "--pred", predPath, "--max-image-pixels", "4000");
        Assert.Equal(0, ok);
    }

    [Fact]
    public async Task Lenient_mode_skips_a_detection_of_an_unknown_image_and_says_so()
    {
        var folder = TestPaths.NewTempFolder();
        var gtPath = Write(folder, "gt.json", Gt);
        var predPath = Write(folder, "pred.json", """[{"image_id":7,"category_id":1,"segmentation":[[1,1,20,1,20,20]],"score":0.9},{"image_id":1,"category_id":1,"segmentation":[[1,1,20,1,20,20,1,20]],"score":0.8}]""");
        var (code, output, errors) = await CliRunner.RunSplitAsync("eval", "--gt", gtPath, "--pred", predPath, "--lenient");
        Assert.True(code == 0, output + errors);
        Assert.Contains("1 bad records skipped", output, StringComparison.Ordinal);
        Assert.Contains("refers to image 7", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_path_that_is_a_folder_is_refused_before_the_evaluation()
    {
        var folder = TestPaths.NewTempFolder();
        var gtPath = Write(folder, "gt.json", Gt);
        var predPath = Write(folder, "pred.json", "[]");
        var (code, _, errors) = await CliRunner.RunSplitAsync("eval", "--gt", gtPath, "--pred", predPath, "--json", folder);
        Assert.Equal(2, code);
        Assert.Contains($"--json {folder}: is a folder; give a file name", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_program_writes_errors_to_stderr_and_exits_2()
    {
        var folder = TestPaths.NewTempFolder();
        var gtPath = Write(folder, "gt.json", Gt);
        var predPath = Write(folder, "pred.json", """[{"image_id":1,"category_id":1,"segmentation":[[1,1,1e300,1,5,5]],"score":0.9}]""");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "cellsegflows.dll"), "eval", "--gt", gtPath, "--pred", predPath })
        {
            start.ArgumentList.Add(arg);
        }

        var (exit, stdout, stderr) = await ChildProcess.RunSplitAsync(start, TimeSpan.FromMinutes(2));
        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("pred.json: result 0: field 'segmentation' polygon 0 holds the coordinate 1E+300", line, StringComparison.Ordinal);
        Assert.DoesNotContain("error", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Fixed seed, time budget: valid files mutated (bytes flipped, cut short, numbers replaced by extremes, fields
    /// dropped or retyped), each evaluated in-process. Every outcome must be exit 0, or exit 2 with one line.
    /// </summary>
    [Fact]
    public async Task Fuzzed_ground_truth_and_results_never_crash_hang_or_print_more_than_one_line()
    {
        var random = new Random(12);
        var folder = TestPaths.NewTempFolder();
        var realGt = File.ReadAllText(TestPaths.TestAnnotations);
        var smallPred = """[{"image_id":1,"category_id":1,"segmentation":[[1,1,20,1,20,20,1,20]],"score":0.9,"bbox":[1,1,19,19]},{"image_id":1,"category_id":1,"segmentation":{"size":[48,64],"counts":"0d1"},"score":0.5}]""";
        var budget = Stopwatch.StartNew();
        var cases = 0;
        var outcomes = new Dictionary<int, int>();
        while (budget.Elapsed < TimeSpan.FromSeconds(25) || cases < 40)
        {
            var gtText = random.Next(4) == 0 ? Mutate(realGt, random) : random.Next(2) == 0 ? Mutate(Gt, random) : Gt;
            var predText = Mutate(smallPred, random);
            var gtPath = Write(folder, $"gt{cases}.json", gtText);
            var predPath = Write(folder, $"pred{cases}.json", predText);
            var clock = Stopwatch.StartNew();
            var run = CliRunner.RunSplitAsync("eval", "--gt", gtPath, "--pred", predPath, random.Next(3) == 0 ? "--lenient" : "--by-cell-type");
            var (code, output, errors) = await run.WaitAsync(TimeSpan.FromSeconds(60));
            var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(code is 0 or 2, $"case {cases}: exit {code}\n{errors}\n--- gt ---\n{Clip(gtText)}\n--- pred ---\n{Clip(predText)}");
            Assert.True(code == 0 ? lines.Length == 0 : lines.Length == 1, $"case {cases}: {errors}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"case {cases} took {clock.Elapsed}");
            outcomes[code] = outcomes.GetValueOrDefault(code) + 1;
            cases++;
            File.Delete(gtPath);
            File.Delete(predPath);
        }

        Assert.True(outcomes.GetValueOrDefault(2) > 0 && outcomes.GetValueOrDefault(0) > 0, $"the fuzzer reached both outcomes: {string.Join(", ", outcomes)}");
    }

    private static readonly string[] Extremes =
        ["1e300", "-1e300", "1e9", "-1", "0", "4294967296", "9223372036854775807", "-9223372036854775808", "2147483648", "32768", "65535", "\"x\"", "null", "true", "[]", "{}", "1.5", "3e38"];

    private static string Mutate(string text, Random random)
    {
        var builder = new StringBuilder(text);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(5))
            {
                case 0:   // flip a byte
                    var at = random.Next(builder.Length);
                    builder[at] = (char)random.Next(32, 127);
                    break;
                case 1:   // cut short
                    builder.Length = random.Next(1, builder.Length);
                    break;
                default:  // replace a number with an extreme value
                    var s = builder.ToString();
                    var numbers = System.Text.RegularExpressions.Regex.Matches(s, @"-?\d+(\.\d+)?([eE][-+]?\d+)?");
                    if (numbers.Count == 0)
                    {
                        break;
                    }

                    var n = numbers[random.Next(Math.Min(numbers.Count, 4000))];
                    builder.Remove(n.Index, n.Length).Insert(n.Index, Extremes[random.Next(Extremes.Length)]);
                    break;
            }
        }

        return builder.ToString();
    }

    private static string Clip(string text) => text.Length > 600 ? text[..600] + "…" : text;
}

/// <summary>Environment mistakes are one line on stderr and exit 2 too.</summary>
public sealed class EnvironmentErrorTests
{
    [Fact]
    public async Task A_home_that_is_a_file_is_named_in_one_line()
    {
        var folder = TestPaths.NewTempFolder();
        var home = Path.Combine(folder, "home");
        await File.WriteAllTextAsync(home, "not a folder");
        var (code, _, errors) = await CliRunner.RunSplitAsync("run", Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json"), "--home", home);
        Assert.Equal(2, code);
        Assert.Equal($"error: --home {home}: is a file, not a folder", Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task A_short_admin_password_is_one_line_not_a_crash()
    {
        var folder = TestPaths.NewTempFolder();
        var password = Path.Combine(folder, "pw.txt");
        await File.WriteAllTextAsync(password, "short");
        var (code, _, errors) = await CliRunner.RunSplitAsync("serve", "--home", Path.Combine(folder, "home"), "--admin-password-file", password, "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, code);
        Assert.Contains("the password needs at least 8 characters", Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}

/// <summary>The engine's limits are options of every engine command.</summary>
public sealed class EngineLimitOptionTests
{
    [Fact]
    public async Task Run_refuses_a_definition_over_max_nodes_before_it_starts()
    {
        var home = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("run", Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json"), "--home", home, "--max-nodes", "1");
        Assert.Equal(2, code);
        Assert.Contains("the limit is 1", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home, "work")), "nothing ran");
    }
}

/// <summary>--device is checked before anything runs.</summary>
public sealed class DeviceOptionTests
{
    [Fact]
    public async Task Cuda_on_a_machine_without_it_is_one_line_and_auto_falls_back_to_the_cpu()
    {
        if (CellSeg.Models.TorchDevices.BuildBackend != "cpu")
        {
            return;   // a CUDA build on a GPU machine: the refusal below does not apply
        }

        var home = TestPaths.NewTempFolder();
        var (code, _, errors) = await CliRunner.RunSplitAsync("run", Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json"), "--home", home, "--device", "cuda");
        Assert.Equal(2, code);
        Assert.Contains("--device: device 'cuda': CUDA is not available", errors, StringComparison.Ordinal);
        var (bad, _, badErrors) = await CliRunner.RunSplitAsync("run", Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json"), "--home", home, "--device", "tpu");
        Assert.Equal(2, bad);
        Assert.Contains("expected cpu, cuda, cuda:N or auto", badErrors, StringComparison.Ordinal);
        Assert.Equal("cpu", new CellSegFlows.Cli.Commands.RunCommand.Settings { Device = "auto" }.ResolveDevice());
    }
}
