using System.Diagnostics;
using CellSeg.Data;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests;

public class ResumeAfterKillTests
{
    [Fact]
    public async Task Training_killed_with_sigkill_resumes_at_the_saved_step_with_the_saved_weights()
    {
        var folder = TestPaths.NewTempFolder();
        var checkpoints = Path.Combine(folder, "ckpt");
        var output = Path.Combine(folder, "killed.model");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "CellSeg.Models.TestTrainer.dll"), TestPaths.ValAnnotations, TestData.ValImages, checkpoints, output, "150" })
        {
            info.ArgumentList.Add(arg);
        }

        // Kill the child (SIGKILL: Process.Kill on Linux) once it has written its second checkpoint.
        using (var child = Process.Start(info)!)
        {
            var killedAfter = -1L;
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline && await child.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == $"checkpoint {2 * TinyTraining.CheckpointEvery}")
                {
                    child.Kill(entireProcessTree: true);
                    killedAfter = 2 * TinyTraining.CheckpointEvery;
                    break;
                }
            }

            await child.WaitForExitAsync();
            Assert.True(killedAfter > 0, "the child reached its second checkpoint: " + await child.StandardError.ReadToEndAsync());
            Assert.Equal(137, child.ExitCode);
        }

        var store = new CheckpointStore(checkpoints);
        var latest = store.LatestFolder()!;
        var saved = CheckpointStore.ReadState(latest);
        Assert.InRange(saved.Iteration, 2 * TinyTraining.CheckpointEvery, TinyTraining.Iterations - 1);
        Assert.False(saved.Finished);
        Assert.False(File.Exists(output));

        var data = await CellSeg.Models.Data.SegmentationDataset.LoadAsync(TestPaths.ValAnnotations, TestData.ValImages,
            new CellSeg.Models.Data.SegmentationDatasetOptions { MaxImages = 2 });
        var events = new List<TrainProgress>();
        var resumed = await UNetTrainer.TrainAsync(TinyTraining.Options(data, checkpoints, output), new SyncProgress<TrainProgress>(events.Add));

        var resumedEvent = events.First();
        Assert.Equal(TrainEvent.Resumed, resumedEvent.Event);
        Assert.Equal(saved.Iteration, resumedEvent.Iteration);
        Assert.Equal(saved.Iteration, resumed.ResumedFromIteration);
        Assert.Equal(saved.Iteration + 1, events.First(e => e.Event == TrainEvent.Iteration).Iteration);
        Assert.Equal(TinyTraining.Iterations, resumed.Iterations);

        // Same weights as a run that was never interrupted (weights, optimiser state and crops all carried over).
        var straight = await UNetTrainer.TrainAsync(TinyTraining.Options(data, null, Path.Combine(folder, "straight.model")));
        using var a = SegmentationModel.Load(straight.ModelPath);
        using var b = SegmentationModel.Load(resumed.ModelPath);
        Assert.True(UNetArchitectureTests.WeightsEqual(a.Network, b.Network, 1e-5));
    }
}
