using System.Collections.Concurrent;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.TestHost;

/// <summary>
/// Counts executions per key, so tests can prove what ran and how often: in memory, and also as lines
/// appended to a file per process beside the path named by CELLSEGFLOWS_TEST_CALLS (<c>PATH.PID</c>) when a
/// test runs activities in other processes. One file per process: .NET's append mode seeks to the end
/// when the file is opened, so two processes appending to one file could overwrite each other's lines.
/// </summary>
public static class Calls
{
    private static readonly ConcurrentDictionary<string, int> Counts = new(StringComparer.Ordinal);
    private static readonly object FileLock = new();

    public static int Hit(string key)
    {
        if (Environment.GetEnvironmentVariable("CELLSEGFLOWS_TEST_CALLS") is { Length: > 0 } file)
        {
            lock (FileLock)
            {
                File.AppendAllText($"{file}.{Environment.ProcessId}", key + "\n");
            }
        }

        return Counts.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    public static int Of(string key) => Counts.GetValueOrDefault(key);

    /// <summary>Executions of a key recorded beside <paramref name="file"/> (by any process).</summary>
    public static int InFile(string file, string key) => AllInFiles(file).GetValueOrDefault(key);

    /// <summary>Executions per key recorded beside <paramref name="file"/> by every process.</summary>
    public static Dictionary<string, int> AllInFiles(string file)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var lines = Directory.Exists(folder)
            ? Directory.GetFiles(folder, Path.GetFileName(file) + ".*").SelectMany(File.ReadAllLines)
            : [];
        return lines.Where(l => l.Length > 0).GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }
}

[Activity("test.Constant", Category = "Test", Description = "Returns its input.")]
public sealed class ConstantActivity : Activity<ConstantActivity.Input, ConstantActivity.Output>
{
    public sealed record Input([property: Port("a number")] long Value, [property: Port("call-count key")] string Key = "");

    public sealed record Output(long Value);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        return Task.FromResult(new Output(input.Value));
    }
}

[Activity("test.Add", Category = "Test", Description = "Adds two numbers.")]
public sealed class AddActivity : Activity<AddActivity.Input, AddActivity.Output>
{
    public sealed record Input(long A, long B = 0, string Key = "", int DelayMs = 0);

    public sealed record Output(long Sum);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        if (input.DelayMs > 0)
        {
            await Task.Delay(input.DelayMs, context.CancellationToken);
        }

        context.Progress.Report(new StepProgress(1, "added"));
        return new Output(input.A + input.B);
    }
}

[Activity("test.Sum", Category = "Test", Description = "Adds a list of numbers (a fan-in).")]
public sealed class SumActivity : Activity<SumActivity.Input, SumActivity.Output>
{
    public sealed record Input(IReadOnlyList<long> Values, string Key = "");

    public sealed record Output(long Total, int Count);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        context.ReportMetric("total", input.Values.Sum(), null);
        return Task.FromResult(new Output(input.Values.Sum(), input.Values.Count));
    }
}

[Activity("test.Flaky", Category = "Test", Description = "Fails its first N attempts, then succeeds.")]
public sealed class FlakyActivity : Activity<FlakyActivity.Input, FlakyActivity.Output>
{
    public sealed record Input(string Key, int Failures);

    public sealed record Output(int Attempt);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var n = Calls.Hit(input.Key);
        if (n <= input.Failures)
        {
            throw new IOException($"transient failure {n} of {input.Failures}");
        }

        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(context.Logger, "succeeded on call {Call}", n);
        return Task.FromResult(new Output(context.Attempt));
    }
}

[Activity("test.Sleep", Category = "Test", Description = "Waits, honouring cancellation.")]
public sealed class SleepActivity : Activity<SleepActivity.Input, SleepActivity.Output>
{
    public sealed record Input(int Milliseconds, string Key = "");

    public sealed record Output(bool Done, long Slept);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        var steps = Math.Max(1, input.Milliseconds / 50);
        for (var i = 0; i < steps; i++)
        {
            await Task.Delay(input.Milliseconds / steps, context.CancellationToken);
            context.Progress.Report(new StepProgress((i + 1.0) / steps, $"slept {(i + 1) * (input.Milliseconds / steps)} ms"));
        }

        return new Output(true, input.Milliseconds);
    }
}

[Activity("test.WriteText", Category = "Test", Description = "Stores a text as an artifact.")]
public sealed class WriteTextActivity : Activity<WriteTextActivity.Input, WriteTextActivity.Output>
{
    public sealed record Input(string Text, string Key = "");

    public sealed record Output(ArtifactRef File);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        var path = Path.Combine(context.WorkFolder, "text.txt");
        await File.WriteAllTextAsync(path, input.Text, context.CancellationToken);
        return new Output(await context.Artifacts.PutFileAsync(path, cancellationToken: context.CancellationToken));
    }
}

[Activity("test.ReadText", Category = "Test", Description = "Reads an artifact's text.")]
public sealed class ReadTextActivity : Activity<ReadTextActivity.Input, ReadTextActivity.Output>
{
    public sealed record Input(ArtifactRef File, string Key = "");

    public sealed record Output(string Text);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        return new Output(await File.ReadAllTextAsync(context.Artifacts.GetPath(input.File), context.CancellationToken));
    }
}

[Activity("test.Range", Category = "Test", Description = "The numbers 1..count (a list to map over).")]
public sealed class RangeActivity : Activity<RangeActivity.Input, RangeActivity.Output>
{
    public sealed record Input(int Count);

    public sealed record Output(IReadOnlyList<long> Values);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) =>
        Task.FromResult(new Output(Enumerable.Range(1, input.Count).Select(i => (long)i).ToArray()));
}

[Activity("test.Fail", Category = "Test", Description = "Always fails.")]
public sealed class FailActivity : Activity<FailActivity.Input, FailActivity.Output>
{
    public sealed record Input(string Message);

    public sealed record Output(long Value);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) =>
        throw new InvalidOperationException(input.Message, new FormatException("the inner cause"));
}

[Activity("test.Gather", Category = "Test", Description = "Adds up to four lists of numbers (a join with several parents).")]
public sealed class GatherActivity : Activity<GatherActivity.Input, GatherActivity.Output>
{
    public sealed record Input(IReadOnlyList<long> A, IReadOnlyList<long>? B = null, IReadOnlyList<long>? C = null, IReadOnlyList<long>? D = null, string Key = "");

    public sealed record Output(long Total, int Count);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        var all = new[] { input.A, input.B ?? [], input.C ?? [], input.D ?? [] }.SelectMany(v => v).ToList();
        return Task.FromResult(new Output(all.Sum(), all.Count));
    }
}

[Activity("test.Train", Category = "Test", Description = "Pretends to train: reports loss and dice per step, with progress, and stores a small log artifact.")]
public sealed class TrainActivity : Activity<TrainActivity.Input, TrainActivity.Output>
{
    public sealed record Input(int Steps = 10, int DelayMs = 20);

    public sealed record Output(double FinalLoss, ArtifactRef Log);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var loss = 1.0;
        var log = new System.Text.StringBuilder();
        for (var step = 1; step <= input.Steps; step++)
        {
            await Task.Delay(input.DelayMs, context.CancellationToken);
            loss *= 0.8;
            var dice = 1 - loss / 2;
            context.ReportMetric("loss", loss, step);
            context.ReportMetric("dice", dice, step);
            context.Progress.Report(new StepProgress((double)step / input.Steps, $"step {step}/{input.Steps}"));
            log.AppendLine(System.FormattableString.Invariant($"step {step} loss {loss:0.0000} dice {dice:0.0000}"));
        }

        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(context.Logger, "trained {Steps} steps", input.Steps);
        return new Output(loss, await context.Artifacts.PutBytesAsync(System.Text.Encoding.UTF8.GetBytes(log.ToString()), "train-log.txt", context.CancellationToken));
    }
}

[Activity("test.HostFiles", Category = "Test", Description = "Writes a file into a folder and reads another: host paths the engine checks.")]
public sealed class HostFilesActivity : Activity<HostFilesActivity.Input, HostFilesActivity.Output>
{
    public sealed record Input(
        [property: Port("where to write note.txt", Kind = PortKind.FolderToWrite)] string Folder,
        [property: Port("a file to read (relative to the folder when relative)", Kind = PortKind.FileToRead, RelativeTo = "folder")] string Read = "",
        [property: Port("call-count key")] string Key = "");

    public sealed record Output(string Folder, string Read, string Text);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        Directory.CreateDirectory(input.Folder);
        await File.WriteAllTextAsync(Path.Combine(input.Folder, "note.txt"), "written", context.CancellationToken);
        var text = input.Read.Length > 0 ? await File.ReadAllTextAsync(input.Read, context.CancellationToken) : string.Empty;
        return new Output(input.Folder, input.Read, text);
    }
}

[Activity("test.CountFiles", Category = "Test", Description = "Counts the files of a folder and the bytes of a file: host inputs the step cache hashes.")]
public sealed class CountFilesActivity : Activity<CountFilesActivity.Input, CountFilesActivity.Output>
{
    public sealed record Input(
        [property: Port("a folder to read", Kind = PortKind.FolderToRead)] string Folder,
        [property: Port("a file to read", Kind = PortKind.FileToRead)] string File = "",
        [property: Port("call-count key")] string Key = "");

    public sealed record Output(int Files, long Bytes);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        Calls.Hit(input.Key.Length > 0 ? input.Key : context.StepId);
        var bytes = input.File.Length > 0 ? new FileInfo(input.File).Length : 0;
        return Task.FromResult(new Output(Directory.GetFiles(input.Folder, "*", SearchOption.AllDirectories).Length, bytes));
    }
}

[Activity("test.WhichDevice", Category = "Test", Description = "Returns the device the engine gave the step.")]
public sealed class WhichDeviceActivity : Activity<WhichDeviceActivity.Input, WhichDeviceActivity.Output>
{
    public sealed record Input(string Tag = "");

    public sealed record Output(string Device);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) => Task.FromResult(new Output(context.Device));
}

[Activity("test.Renamed", Category = "Test", Description = "A port renamed in a later version: iterations was steps, total was sum.")]
public sealed class RenamedActivity : Activity<RenamedActivity.Input, RenamedActivity.Output>
{
    public sealed record Input([property: Port("Iterations to count.", FormerNames = ["steps"])] int Iterations);

    public sealed record Output([property: Port("Twice the iterations.", FormerNames = ["sum"])] int Total);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) => Task.FromResult(new Output(input.Iterations * 2));
}

[Activity("test.Overridable", Category = "Test", OverridesInput = "grid", Description = "Echoes its settings: a grid object overrides them (an engine feature, not the activity's).")]
public sealed class OverridableActivity : Activity<OverridableActivity.Input, OverridableActivity.Output>
{
    public sealed record Input(
        [property: Port("A grid entry; its fields override these inputs")] System.Text.Json.Nodes.JsonObject? Grid = null,
        string Label = "plain",
        int Count = 1,
        double? Rate = null,
        IReadOnlyList<string>? Tags = null,
        ArtifactRef? File = null,
        System.Text.Json.Nodes.JsonNode? Extra = null);

    public sealed record Output(string Label, int Count, double? Rate, IReadOnlyList<string> Tags, bool SawGrid);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) =>
        Task.FromResult(new Output(input.Label, input.Count, input.Rate, input.Tags ?? [], input.Grid is not null));
}

/// <summary>A library's "your data is bad" error, which the test registry treats as an input error.</summary>
public sealed class BadDataException(string message) : Exception(message);

[Activity("test.Throw", Category = "Test", Description = "Counts its call, then throws what it is told: missing (a missing input file), data (a library's bad-data error), transient.")]
public sealed class ThrowActivity : Activity<ThrowActivity.Input, ThrowActivity.Output>
{
    public sealed record Input(string Key, string Kind, string Path = "/nonexistent/weights.pth", int Failures = 1000);

    public sealed record Output(int Attempt);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var n = Calls.Hit(input.Key);
        if (n > input.Failures)
        {
            return Task.FromResult(new Output(context.Attempt));
        }

        throw input.Kind switch
        {
            "missing" => new ActivityInputException("path", $"path file not found: {input.Path}", new FileNotFoundException(input.Path)),
            "data" => new BadDataException($"{input.Path}: record 3: is not a polygon"),
            "transient" => new TransientActivityException($"device busy (call {n})", new BadDataException("looks like bad data, but is a race")),
            _ => new InvalidOperationException($"unknown kind '{input.Kind}'"),
        };
    }
}

/// <summary>How many steps held each device at once, per test key (in-process engine tests).</summary>
public static class DeviceHolds
{
    private static readonly Dictionary<string, int> Now = [];
    private static readonly Dictionary<string, int> Peak = [];

    public static int PeakOf(string key, string device)
    {
        lock (Now)
        {
            return Peak.GetValueOrDefault(key + "|" + device);
        }
    }

    public static async Task HoldAsync(string key, string device, int milliseconds, CancellationToken cancellationToken)
    {
        var slot = key + "|" + device;
        lock (Now)
        {
            Now[slot] = Now.GetValueOrDefault(slot) + 1;
            Peak[slot] = Math.Max(Peak.GetValueOrDefault(slot), Now[slot]);
        }

        try
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        finally
        {
            lock (Now)
            {
                Now[slot]--;
            }
        }
    }
}

[Activity("test.HoldDevice", Category = "Test", Queue = "gpu", Description = "Holds its device a while (alone: it does not share).")]
public sealed class HoldDeviceActivity : Activity<HoldDeviceActivity.Input, HoldDeviceActivity.Output>
{
    public sealed record Input(int Milliseconds, string Key, int Index = 0);

    public sealed record Output(string Device);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        await DeviceHolds.HoldAsync(input.Key, context.Device, input.Milliseconds, context.CancellationToken);
        return new Output(context.Device);
    }
}

[Activity("test.ShareDevice", Category = "Test", Queue = "gpu", SharesDevice = true, Description = "Holds its device a while, sharing it with other sharing steps.")]
public sealed class ShareDeviceActivity : Activity<ShareDeviceActivity.Input, ShareDeviceActivity.Output>
{
    public sealed record Input(int Milliseconds, string Key, int Index = 0);

    public sealed record Output(string Device);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        await DeviceHolds.HoldAsync(input.Key, context.Device, input.Milliseconds, context.CancellationToken);
        return new Output(context.Device);
    }
}
