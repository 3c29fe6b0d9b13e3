namespace CellSegFlows.Cli.Tests;

/// <summary>
/// No product assembly lets TorchSharp create a scalar that nothing holds (README, "the TorchSharp finalizer race"):
/// the compiled IL of every CellSeg* assembly the CLI ships, and the CLI's own (cellsegflows.dll), is read, and each implicit conversion, each call into a
/// TorchSharp member that makes a temporary scalar inside (overload by overload), and each ToScalar() outside
/// CellSeg.Models.Torch.Scalars is reported with its file and line.
/// </summary>
public class HeldScalarAuditTests
{
    [Fact]
    public void Product_code_creates_no_unheld_TorchSharp_scalars()
    {
        var folder = AppContext.BaseDirectory;
        var audit = new ScalarTemporaryAudit(Path.Combine(folder, "TorchSharp.dll"));
        Assert.Contains("TorchSharp.torch/Tensor::add(TorchSharp.torch/Tensor)", audit.HazardousTorchMembers);   // the audit sees the implicit alpha
        Assert.DoesNotContain("TorchSharp.torch/Tensor::add(TorchSharp.torch/Tensor,TorchSharp.Scalar)", audit.HazardousTorchMembers);
        Assert.Contains(audit.Scan(Path.Combine(folder, "TorchSharp.dll"), "TorchSharp.ScalarExtensionMethods"),
            finding => finding.Method == "TorchSharp.Modules.BatchNorm::forward");   // and finds the one that aborted a bench
        var assemblies = Directory.GetFiles(folder, "CellSeg*.dll").Append(Path.Combine(folder, "cellsegflows.dll"))
            .Where(path => !Path.GetFileName(path).Contains(".Test", StringComparison.Ordinal)).ToArray();
        Assert.Contains(assemblies, path => path.EndsWith("CellSeg.Models.dll", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(folder, "cellsegflows.dll")), "the CLI assembly (doctor runs torch)");
        var findings = assemblies.SelectMany(path => audit.Scan(path, "CellSeg.Models.Torch.Scalars")).ToArray();
        Assert.True(findings.Length == 0, $"{findings.Length} unheld scalars:\n" + string.Join("\n", findings.Take(60)));
    }
}
