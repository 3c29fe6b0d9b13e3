// Torch's random generator and thread count are process-wide; tests that compare weights across runs
// must not interleave with tests drawing random tensors.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
