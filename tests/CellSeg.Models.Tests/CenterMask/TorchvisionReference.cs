using System.Diagnostics;
using System.Globalization;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>
/// Runs Debian's python3-torchvision 0.14 (under /usr/bin/python3) on arrays the test wrote, and reads its
/// answers back: the independent reference for RoIAlign and mask pasting.
/// </summary>
internal static class TorchvisionReference
{
    /// <summary>
    /// Runs <paramref name="script"/> in a fresh folder holding <paramref name="inputs"/> as raw little-endian
    /// float32 files (name.f32); the script writes its outputs the same way; returns the files it wrote.
    /// </summary>
    public static Dictionary<string, float[]> Run(string script, IReadOnlyDictionary<string, float[]> inputs)
    {
        var folder = TestPaths.NewTempFolder();
        foreach (var (name, data) in inputs)
        {
            var bytes = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(Path.Combine(folder, name + ".f32"), bytes);
        }

        var scriptPath = Path.Combine(folder, "reference.py");
        File.WriteAllText(scriptPath, script);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.ArgumentList.Add(scriptPath);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python3-torchvision reference failed (apt-get install python3-torchvision): {stderr}");
        var outputs = new Dictionary<string, float[]>();
        foreach (var file in Directory.GetFiles(folder, "out_*.f32"))
        {
            var bytes = File.ReadAllBytes(file);
            var data = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
            outputs[Path.GetFileNameWithoutExtension(file)] = data;
        }

        Directory.Delete(folder, recursive: true);
        return outputs;
    }

    /// <summary>A float formatted for a Python literal.</summary>
    public static string Py(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
