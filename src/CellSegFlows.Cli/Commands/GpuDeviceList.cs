using System.Globalization;
using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// The devices a worker leases to its gpu-queue steps, from <c>--device</c> and <c>--gpus N</c>: <c>cuda</c> with N takes
/// cuda:0 … cuda:N-1 (checked against the CUDA devices TorchSharp sees), <c>cuda:K</c> is that one device, <c>cpu</c>
/// with N runs N gpu-queue steps at once on the CPU. The device count comes in as a function, so tests give a fake one.
/// </summary>
internal static class GpuDeviceList
{
    /// <summary>The device list, or null when <paramref name="gpus"/> is not given (the engine then uses the device alone).</summary>
    /// <exception cref="UserInputException">N below 1, more GPUs than there are, or several GPUs with one named device.</exception>
    public static IReadOnlyList<string>? Resolve(string device, int? gpus, Func<int> cudaDevices)
    {
        if (gpus is not { } n)
        {
            return null;
        }

        if (n < 1)
        {
            throw new UserInputException($"--gpus {n}: give 1 or more");
        }

        if (device == QueueNames.CpuDevice)
        {
            return Enumerable.Repeat(QueueNames.CpuDevice, n).ToList();
        }

        if (device == "cuda")
        {
            var count = cudaDevices();
            if (n > count)
            {
                throw new UserInputException($"--gpus {n}: TorchSharp sees {count} CUDA device(s) on this machine");
            }

            return Enumerable.Range(0, n).Select(i => "cuda:" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        }

        return n == 1 ? [device] : throw new UserInputException($"--gpus {n} with --device {device}: one named device is one GPU; give --device cuda to use cuda:0 … cuda:{n - 1}");
    }

    /// <summary>Every device name this machine offers: cpu, then cuda:0 … cuda:N-1.</summary>
    public static IReadOnlyList<string> Available(int cudaDevices) =>
        [QueueNames.CpuDevice, .. Enumerable.Range(0, cudaDevices).Select(i => "cuda:" + i.ToString(CultureInfo.InvariantCulture))];
}
