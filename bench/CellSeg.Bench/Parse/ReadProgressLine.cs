using CellSeg.Bench.Infrastructure;
using CellSeg.Data.Coco;

namespace CellSeg.Bench.Parse;

/// <summary>Draws <see cref="CocoReader"/>'s progress on the stderr progress line.</summary>
internal sealed class ReadProgressLine(ProgressLine line) : IProgress<ReadProgress>
{
    public void Report(ReadProgress value) =>
        line.Report(value.TotalBytes > 0 ? (double)value.BytesRead / value.TotalBytes : 0, $"{Units.Mib(value.BytesRead)} MiB, {Units.Count(value.Records)} records");
}
