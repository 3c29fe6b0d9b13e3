using System.Diagnostics;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Bench.Cluster;

/// <summary>
/// Throughput on the clustered PostgreSQL stores: one run of <c>steps</c> no-op steps (a map over steps − 1 elements and
/// its join) on 1, then 3, worker processes, each on a fresh database after an untimed warm-up run (JIT, pools).
/// </summary>
internal static class ThroughputBench
{
    public static async Task RunAsync(string server, int steps, IReadOnlyList<int> workerCounts, int threads, int warmup)
    {
        Console.WriteLine($"throughput bench: {steps} no-op steps (map over {steps - 1} + join), worker processes × {threads} threads, warm-up {warmup} steps, " +
            $"{Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("workers  steps/s  ms/step   wall s  start s  steps per worker        CPU ms per step: workers  PostgreSQL  client   machine busy cores  load average before");
        foreach (var count in workerCounts)
        {
            var load = MachineLoad.Average();
            await using var cluster = await ClusterSetup.StartAsync(server, count, threads).ConfigureAwait(false);
            if (warmup > 1)
            {
                await cluster.Client.WaitForRunAsync(await cluster.Client.StartRunAsync(Workflows.Wide(warmup - 1), "warm-up", new Dictionary<string, string>()).ConfigureAwait(false)).ConfigureAwait(false);
            }

            var cpuBefore = cluster.Workers.Sum(w => w.CpuTime().TotalSeconds);
            var postgresBefore = ProcessCpu.Postgres();
            var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var machineBefore = MachineLoad.Read();
            var clock = Stopwatch.StartNew();
            var runId = await cluster.Client.StartRunAsync(Workflows.Wide(steps - 1), "throughput", new Dictionary<string, string>()).ConfigureAwait(false);
            var started = clock.Elapsed;
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(15));
            var run = await cluster.Client.WaitForRunAsync(runId, null, limit.Token).ConfigureAwait(false);
            var wall = clock.Elapsed;
            var busy = MachineLoad.BusyCores(machineBefore, MachineLoad.Read());
            var cpu = cluster.Workers.Sum(w => w.CpuTime().TotalSeconds) - cpuBefore;
            var postgres = (ProcessCpu.Postgres() - postgresBefore).TotalSeconds;
            var client = (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalSeconds;
            if (run.Status != RunStatus.Succeeded)
            {
                throw new InvalidOperationException($"the {count}-worker run ended {run.Status}: {run.Error}");
            }

            var detail = await cluster.Client.Runs.DetailAsync(runId).ConfigureAwait(false);
            if (detail.Steps.Count != steps || detail.Steps.Any(s => s.Status != StepStatus.Succeeded))
            {
                throw new InvalidOperationException($"the {count}-worker run has {detail.Steps.Count} steps, {detail.Steps.Count(s => s.Status == StepStatus.Succeeded)} succeeded");
            }

            var spread = string.Join(" ", detail.Steps.GroupBy(s => s.Worker).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}"));
            Console.WriteLine($"{count,7}  {steps / wall.TotalSeconds,7:0.0}  {wall.TotalMilliseconds / steps,7:0.00}  {wall.TotalSeconds,7:0.0}  {started.TotalSeconds,7:0.0}  {spread,-22}  {cpu * 1000 / steps,24:0.00}  {postgres * 1000 / steps,10:0.00}  {client * 1000 / steps,6:0.00}   {busy,18:0.00}  {load}");
        }
    }
}
