using CellSeg.Bench;
using CellSeg.Bench.Eval;
using CellSeg.Bench.Parse;

// Benchmarks that print figures. `parse`, `eval` and `all` are what a person runs; `parse-one` and
// `eval-one` are the child processes they start, one per measurement, so that each peak memory
// figure belongs to one measurement only.
try
{
    var options = BenchOptions.Parse(args);
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };

    switch (options.Command)
    {
        case "parse":
            await ParseBenchmark.RunAsync(options, cancel.Token);
            break;
        case "eval":
            await EvalBenchmark.RunAsync(options, cancel.Token);
            break;
        case "all":
            await ParseBenchmark.RunAsync(options, cancel.Token);
            Console.WriteLine();
            await EvalBenchmark.RunAsync(options, cancel.Token);
            break;
        case "parse-one":
            await ParseMeasurement.RunAsync(options, cancel.Token);
            break;
        case "eval-one":
            await EvalMeasurement.RunAsync(options, cancel.Token);
            break;
        default:
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
    }

    return 0;
}
catch (UsageException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (CellSeg.Data.DataFormatException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 1;
}
catch (BenchException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 1;
}
