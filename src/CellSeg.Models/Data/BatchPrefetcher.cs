using System.Collections.Concurrent;

namespace CellSeg.Models.Data;

/// <summary>
/// Draws the batches of steps [first, last) on a background thread, a few ahead of the trainer, so
/// cropping and augmentation overlap the network's step instead of adding to it.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    private readonly BlockingCollection<CropBatch> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Task producer;

    /// <summary>Starts drawing at once.</summary>
    /// <param name="sampler">The sampler.</param>
    /// <param name="firstStep">First step to draw.</param>
    /// <param name="lastStep">Step after the last one to draw.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="depth">Batches kept ready (at least 1).</param>
    public BatchPrefetcher(CropSampler sampler, long firstStep, long lastStep, int batchSize, int depth = 2)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        queue = new BlockingCollection<CropBatch>(Math.Max(1, depth));
        producer = Task.Factory.StartNew(() =>
        {
            try
            {
                for (var step = firstStep; step < lastStep && !stop.IsCancellationRequested; step++)
                {
                    queue.Add(sampler.Batch(step, batchSize), stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next batch, waiting for it when the producer is behind.</summary>
    /// <exception cref="InvalidOperationException">No batch is left (read past the last step).</exception>
    public CropBatch Take(CancellationToken cancellationToken)
    {
        if (queue.TryTake(out var batch, Timeout.Infinite, cancellationToken))
        {
            return batch;
        }

        producer.GetAwaiter().GetResult();   // surfaces a sampler failure
        throw new InvalidOperationException("no batch left to prefetch");
    }

    /// <summary>Stops the producer.</summary>
    public void Dispose()
    {
        stop.Cancel();
        try
        {
            producer.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        queue.Dispose();
        stop.Dispose();
    }
}
