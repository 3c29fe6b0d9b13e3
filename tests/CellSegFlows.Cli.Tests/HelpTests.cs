using System.Text.RegularExpressions;

namespace CellSegFlows.Cli.Tests;

/// <summary>Every command's and sub-command's help prints (a description with markup-like text once broke `run --help`).</summary>
public sealed partial class HelpTests
{
    [Fact]
    public async Task Every_command_and_sub_command_prints_its_help()
    {
        var seen = new List<string>();
        var pending = new Queue<string[]>([[]]);
        while (pending.Count > 0)
        {
            var path = pending.Dequeue();
            var (exit, help) = await CliRunner.RunSplitAsync([.. path, "--help"]) is var r ? (r.ExitCode, r.Output + r.Errors) : default;
            var name = path.Length == 0 ? "cellsegflows" : "cellsegflows " + string.Join(' ', path);
            Assert.True(exit == 0, $"{name} --help: exit {exit}: {help}");
            Assert.DoesNotContain("internal error", help, StringComparison.Ordinal);
            Assert.Contains("USAGE:", help, StringComparison.Ordinal);
            seen.Add(name);
            foreach (var sub in SubCommands(help))
            {
                pending.Enqueue([.. path, sub]);
            }
        }

        Assert.Contains("cellsegflows run", seen);
        Assert.Contains("cellsegflows runs prune", seen);
        Assert.Contains("cellsegflows models promote", seen);
        Assert.True(seen.Count > 25, string.Join(", ", seen));
    }

    /// <summary>The first word of each entry of the help's COMMANDS section (continuation lines are indented further).</summary>
    private static IEnumerable<string> SubCommands(string help)
    {
        var at = help.IndexOf("COMMANDS:", StringComparison.Ordinal);
        if (at < 0)
        {
            yield break;
        }

        foreach (var line in help[(at + "COMMANDS:".Length)..].Split('\n'))
        {
            if (Entry().Match(line) is { Success: true } m)
            {
                yield return m.Groups[1].Value;
            }
        }
    }

    [GeneratedRegex(@"^ {4}([a-z][a-z-]*)\b")]
    private static partial Regex Entry();
}
