namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// The devices of this worker's gpu queue, leased to its steps: a step holds one device for an attempt. An activity
/// that does not share (<see cref="Activities.ActivityAttribute.SharesDevice"/> false, the default) gets a device no
/// other step holds; one that shares may sit beside other sharing steps on a device. Quartz already caps gpu steps at
/// <see cref="Hosting.EngineOptions.GpuSlots"/>, so with one slot per device a step never waits here; with more slots
/// than devices a step waits (cancellably) until a device fits.
/// </summary>
internal sealed class DeviceLeases
{
    private readonly object _gate = new();
    private readonly string[] _devices;
    private readonly int[] _holders;       // steps on each device
    private readonly bool[] _exclusive;    // whether its holder does not share
    private TaskCompletionSource _released = NewSignal();

    public DeviceLeases(IReadOnlyList<string> devices)
    {
        _devices = devices.Count > 0 ? [.. devices] : throw new ArgumentException("a worker needs at least one device for its gpu queue", nameof(devices));
        _holders = new int[_devices.Length];
        _exclusive = new bool[_devices.Length];
    }

    /// <summary>The devices, in order.</summary>
    public IReadOnlyList<string> Devices => _devices;

    /// <summary>Leases a device: an idle one for a step that does not share, else the busiest one that only sharing steps hold.</summary>
    public async Task<DeviceLease> AcquireAsync(bool share, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task released;
            lock (_gate)
            {
                var index = Pick(share);
                if (index >= 0)
                {
                    _holders[index]++;
                    _exclusive[index] = !share;
                    return new DeviceLease(this, index, _devices[index], share, _holders[index]);
                }

                released = _released.Task;
            }

            await released.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private int Pick(bool share)
    {
        var idle = Array.IndexOf(_holders, 0);
        if (!share)
        {
            return idle;
        }

        // Sharing steps pack onto a device already shared, so idle devices stay free for steps that do not share.
        var best = -1;
        for (var i = 0; i < _devices.Length; i++)
        {
            if (_holders[i] > 0 && !_exclusive[i] && (best < 0 || _holders[i] > _holders[best]))
            {
                best = i;
            }
        }

        return best >= 0 ? best : idle;
    }

    internal void Release(int index)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _holders[index]--;
            if (_holders[index] == 0)
            {
                _exclusive[index] = false;
            }

            signal = _released;
            _released = NewSignal();
        }

        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>One step's hold on a device, released when disposed.</summary>
internal sealed class DeviceLease(DeviceLeases owner, int index, string device, bool shared, int holders) : IDisposable
{
    private int _released;

    /// <summary>The device name (cpu, cuda:N).</summary>
    public string Device { get; } = device;

    /// <summary>Whether the step may share the device.</summary>
    public bool Shared { get; } = shared;

    /// <summary>Steps on the device with this one, when it was leased.</summary>
    public int Holders { get; } = holders;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            owner.Release(index);
        }
    }
}
