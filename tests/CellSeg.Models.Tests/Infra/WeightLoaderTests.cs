using System.Diagnostics;
using CellSeg.Data;
using CellSeg.Models.Weights;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.Infra;

/// <summary>Weight loading from files written by PyTorch itself (Debian's python3-torch) and by TorchSharp.PyBridge.</summary>
public class WeightLoaderTests
{
    /// <summary>One state dict with detectron2-like names, saved bare and under "model" with an iteration, once per test run.</summary>
    private static readonly Lazy<string> PythonFiles = new(WritePythonFiles);

    private static string BarePath => Path.Combine(PythonFiles.Value, "bare.pth");

    private static string Detectron2Path => Path.Combine(PythonFiles.Value, "d2.pth");

    private const string Script = """
        import sys, collections, torch
        out = sys.argv[1]
        sd = collections.OrderedDict()
        sd["backbone.conv.weight"] = torch.arange(72, dtype=torch.float32).reshape(4, 2, 3, 3) / 100
        sd["backbone.conv.bias"] = torch.arange(4, dtype=torch.float32)
        sd["backbone.gn.weight"] = torch.full((4,), 2.0)
        sd["backbone.gn.bias"] = torch.full((4,), -1.0)
        sd["head.weight"] = torch.arange(4, dtype=torch.float32).reshape(1, 4, 1, 1)
        sd["head.bias"] = torch.tensor([7.0])
        sd["pixel_mean"] = torch.tensor([128.0])
        torch.save(sd, out + "/bare.pth")
        torch.save({"model": sd, "iteration": 12500, "scheduler": {"last_epoch": 12499}}, out + "/d2.pth")
        import numpy, pickle
        torch.save({"model": sd, "__author__": "someone", "matching_heuristics": True, "extra": numpy.zeros(3, dtype=numpy.float32)}, out + "/d2numpy.pth")
        arrays = {k: v.numpy() for k, v in sd.items()}
        arrays["backbone.conv.weight"] = numpy.asfortranarray(arrays["backbone.conv.weight"])
        with open(out + "/backbone.pkl", "wb") as f:
            pickle.dump({"model": arrays, "__author__": "someone", "matching_heuristics": True}, f)
        torch.save(sd, out + "/legacy.pth", _use_new_zipfile_serialization=False)
        """;

    private static string WritePythonFiles()
    {
        var folder = TestPaths.NewTempFolder();
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(folder);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "python3-torch fixture failed: " + err);
        return folder;
    }

    private static nn.Module<Tensor, Tensor> Net(int headOut = 1) => nn.Sequential(
        ("conv", nn.Conv2d(2, 4, 3)), ("gn", nn.GroupNorm(2, 4)), ("head", nn.Conv2d(4, headOut, 1)));

    private static ParameterNameMap Detectron2Map() => new ParameterNameMap().Prefix("backbone.", "").Ignore("pixel_mean");

    private static void AssertLoadedValues(nn.Module net)
    {
        var sd = net.state_dict();
        Assert.True(Tensors.Same(sd["conv.weight"], torch.arange(72, dtype: ScalarType.Float32).reshape(4, 2, 3, 3) / 100));
        Assert.True(Tensors.Same(sd["gn.bias"], torch.full(4, -1.0f)));
        Assert.Equal(7f, sd["head.bias"].item<float>());
    }

    [Theory]
    [InlineData("bare.pth")]
    [InlineData("d2.pth")]
    [InlineData("d2numpy.pth")]
    [InlineData("backbone.pkl")]
    public void A_torch_save_or_detectron2_pkl_file_loads_through_the_name_map_bare_or_under_model(string file)
    {
        using var net = Net();
        var report = WeightLoader.Load(net, Path.Combine(PythonFiles.Value, file), Detectron2Map());
        Assert.True(report.IsExact, report.Describe());
        Assert.Equal(6, report.Loaded.Count);
        Assert.Equal(["pixel_mean"], report.Ignored);
        AssertLoadedValues(net);
    }

    [Fact]
    public void Exact_entries_win_over_prefix_rules()
    {
        var map = new ParameterNameMap().Exact("backbone.gn.weight", "norm.scale").Prefix("backbone.", "");
        Assert.Equal("norm.scale", map.Map("backbone.gn.weight"));
        Assert.Equal("gn.bias", map.Map("backbone.gn.bias"));
        Assert.Equal("head.bias", map.Map("head.bias"));
    }

    [Fact]
    public void Strict_mode_names_the_file_and_every_missing_unexpected_and_mismatched_tensor_and_copies_nothing()
    {
        using var net = nn.Sequential(("conv", nn.Conv2d(2, 4, 3)), ("gn", nn.GroupNorm(2, 4)), ("head", nn.Conv2d(4, 2, 1)), ("extra", nn.Conv2d(2, 2, 1)));
        var before = net.state_dict()["conv.weight"].clone();
        var e = Assert.Throws<WeightLoadException>(() => WeightLoader.Load(net, Detectron2Path, new ParameterNameMap().Prefix("backbone.", "")));
        Assert.Equal(Detectron2Path, e.FilePath);
        Assert.Contains(Detectron2Path, e.Message);
        Assert.Equal(["extra.bias", "extra.weight"], e.Report.Missing);
        Assert.Equal(["pixel_mean"], e.Report.Unexpected);
        Assert.Equal(["head.bias", "head.weight"], e.Report.Mismatched.Select(m => m.Name).ToArray());
        Assert.Equal([1L, 4, 1, 1], e.Report.Mismatched.Single(m => m.Name == "head.weight").FileShape);
        foreach (var name in new[] { "extra.weight", "pixel_mean", "head.weight" })
        {
            Assert.Contains(name, e.Message);
        }

        Assert.True(Tensors.Same(before, net.state_dict()["conv.weight"]), "a failed strict load leaves the module untouched");
    }

    [Fact]
    public void Lenient_mode_loads_what_fits_and_reports_the_rest()
    {
        using var net = Net(headOut: 2);   // a new class count: the head does not fit, as when finetuning COCO weights
        var report = WeightLoader.Load(net, Detectron2Path, Detectron2Map(), strict: false);
        Assert.False(report.IsExact);
        Assert.Equal(["conv.bias", "conv.weight", "gn.bias", "gn.weight"], report.Loaded.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(2, report.Mismatched.Count);
        Assert.Empty(report.Missing);
        Assert.True(Tensors.Same(net.state_dict()["gn.weight"], torch.full(4, 2.0f)));
    }

    [Fact]
    public void A_file_written_by_pybridge_loads_into_a_fresh_module()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "ts.pth");
        torch.manual_seed(5);
        using var source = Net();
        source.save_py(path);
        torch.manual_seed(6);
        using var target = Net();
        var report = WeightLoader.Load(target, path);
        Assert.True(report.IsExact, report.Describe());
        foreach (var ((name, a), (_, b)) in source.state_dict().Zip(target.state_dict()))
        {
            Assert.True(Tensors.Same(a, b), name);
        }
    }

    [Fact]
    public void A_truncated_file_is_a_data_format_error_naming_the_file()
    {
        var folder = TestPaths.NewTempFolder();
        var bytes = File.ReadAllBytes(BarePath);
        var truncated = Path.Combine(folder, "truncated.pth");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        using var net = Net();
        var e = Assert.Throws<DataFormatException>(() => WeightLoader.Load(net, truncated, Detectron2Map()));
        Assert.Equal(truncated, e.FilePath);
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void A_file_that_is_no_weight_file_or_of_the_legacy_format_says_so()
    {
        var folder = TestPaths.NewTempFolder();
        var text = Path.Combine(folder, "weights.pth");
        File.WriteAllText(text, "not weights");
        var pkl = Path.Combine(folder, "empty.pkl");
        File.WriteAllBytes(pkl, [0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]);   // a pickled empty dict
        using var net = Net();
        Assert.Contains("not a PyTorch checkpoint", Assert.Throws<DataFormatException>(() => WeightLoader.Load(net, text)).Message);
        Assert.Contains("holds no tensors", Assert.Throws<DataFormatException>(() => WeightLoader.Load(net, pkl)).Message);
        Assert.Contains("legacy", Assert.Throws<DataFormatException>(() => WeightLoader.Load(net, Path.Combine(PythonFiles.Value, "legacy.pth"))).Message);
        Assert.Contains("file not found", Assert.Throws<DataFormatException>(() => WeightLoader.Load(net, Path.Combine(folder, "none.pth"))).Message);
    }
}
