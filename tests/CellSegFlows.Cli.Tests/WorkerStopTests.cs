using System.Diagnostics;
using System.Text;
using CellSegFlows.Testing;

namespace CellSegFlows.Cli.Tests;

/// <summary>The real <c>cellsegflows worker</c> process: SIGTERM drains and stops it; <c>health</c> sees it alive, then stopped.</summary>
public class WorkerStopTests
{
    [Fact]
    public async Task Worker_drains_on_sigterm_and_health_sees_it_alive_then_stopped()
    {
        var home = TestPaths.NewTempFolder();
        var output = new StringBuilder();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "cellsegflows"))
        {
            ArgumentList = { "worker", "--home", home, "--queues", "cpu", "--drain-timeout", "30" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var worker = Process.Start(start)!;
        var serving = new TaskCompletionSource();
        worker.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("serving cpu", StringComparison.Ordinal) == true)
            {
                serving.TrySetResult();
            }
        };
        worker.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            await serving.Task.WaitAsync(TimeSpan.FromSeconds(90));
            var (alive, aliveText) = await CliRunner.RunAsync("health", "--home", home, "--worker", Environment.MachineName);
            Assert.True(alive == 0, aliveText);
            Assert.Contains($"worker {Environment.MachineName}:{worker.Id}: alive", aliveText);

            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
            {
                await kill.WaitForExitAsync();
            }

            await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(worker.ExitCode == 0, output.ToString());
            Assert.Contains("drained: 0 step(s) finished; stopped", output.ToString());

            var (stopped, stoppedText) = await CliRunner.RunAsync("health", "--home", home, "--worker", $"{Environment.MachineName}:{worker.Id}");
            Assert.Equal(1, stopped);
            Assert.Contains("stopped", stoppedText);
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Worker_drain_name_asks_a_running_worker_to_drain_and_it_stops()
    {
        var home = TestPaths.NewTempFolder();
        var output = new StringBuilder();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "cellsegflows"))
        {
            ArgumentList = { "worker", "--home", home, "--queues", "cpu" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var worker = Process.Start(start)!;
        var serving = new TaskCompletionSource();
        worker.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("serving cpu", StringComparison.Ordinal) == true)
            {
                serving.TrySetResult();
            }
        };
        worker.BeginOutputReadLine();
        try
        {
            await serving.Task.WaitAsync(TimeSpan.FromSeconds(90));
            var (none, noneText, noneErrors) = await CliRunner.RunSplitAsync("worker", "--home", home, "--drain", "nobody");
            Assert.Equal(CliApp.UserError, none);
            Assert.Contains("--drain nobody: no running worker", noneErrors + noneText);

            var name = $"{Environment.MachineName}:{worker.Id}";
            var (code, text) = await CliRunner.RunAsync("worker", "--home", home, "--drain", name);
            Assert.True(code == 0, text);
            Assert.Contains($"asked worker {name} to drain", text);
            await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(worker.ExitCode == 0, output.ToString());
            Assert.Contains("drained: 0 step(s) finished; stopped", output.ToString());
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Health_fails_with_one_line_for_an_unknown_worker_a_silent_address_and_bad_options()
    {
        var home = TestPaths.NewTempFolder();
        var (noStore, noStoreText, noStoreErrors) = await CliRunner.RunSplitAsync("health", "--home", home, "--worker", "nobody");
        Assert.Equal(CliApp.UserError, noStore);
        Assert.Contains("no run store", noStoreErrors + noStoreText);

        var (silent, silentText) = await CliRunner.RunAsync("health", "--url", "http://127.0.0.1:1/");
        Assert.Equal(1, silent);
        Assert.Contains("no answer", silentText);

        var (both, bothText) = await CliRunner.RunAsync("health", "--url", "http://127.0.0.1:1/", "--worker", "x");
        Assert.Equal(CliApp.UserError, both);
        Assert.Contains("one of --url URL or --worker NAME", bothText);
    }
}
