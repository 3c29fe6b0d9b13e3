using CellSeg.Data;
using CellSeg.Models.Data;
using CellSeg.Models.Training;

// Usage: CellSeg.Models.TestTrainer ANNOTATIONS IMAGES CHECKPOINTS OUTPUT [stepDelayMs]
// Trains the tiny model of TinyTraining.Options, printing "step N" and "checkpoint N" lines; the
// delay after each step gives a test time to kill it between checkpoints.
// Usage: CellSeg.Models.TestTrainer scalar-race implicit|held SECONDS (see ScalarRace).
CellSeg.Models.Runtime.TorchRuntime.Initialize();   // as every entry point does, before the first tensor
if (args[0] == "scalar-race")
{
    return ScalarRace.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
}

var (annotations, images, checkpoints, output) = (args[0], args[1], args[2], args[3]);
var delay = args.Length > 4 ? int.Parse(args[4]) : 0;
var data = await SegmentationDataset.LoadAsync(annotations, images, new SegmentationDatasetOptions { MaxImages = 2 });
var options = CellSeg.Models.Tests.TinyTraining.Options(data, checkpoints, output);
var progress = new SyncProgress<TrainProgress>(p =>
{
    if (p.Event is TrainEvent.Iteration or TrainEvent.Checkpoint)
    {
        Console.Out.WriteLine($"{(p.Event == TrainEvent.Iteration ? "step" : "checkpoint")} {p.Iteration}");
        Console.Out.Flush();
    }

    if (p.Event == TrainEvent.Iteration && delay > 0)
    {
        Thread.Sleep(delay);
    }
});
await UNetTrainer.TrainAsync(options, progress);
Console.Out.WriteLine("done");
return 0;
