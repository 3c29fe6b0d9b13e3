using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace CellSeg.Models.Runtime;

/// <summary>
/// The switch of libtorch's global context that TorchSharp does not expose (PyTorch's
/// <c>torch.backends.mkldnn.enabled</c>), and the version of the oneMKL libtorch bundles.
/// They are C++ members exported by libtorch_cpu.so; on x86-64 a member function takes <c>this</c> as its
/// first argument, so they are called through function pointers with the context as that argument.
/// Where a symbol is missing (another libtorch), the switch reports itself unavailable instead of failing.
/// </summary>
internal static unsafe class LibTorchContext
{
    private static readonly Lazy<Exports?> Loaded = new(Load);

    /// <summary>True when the switches could be found in the loaded libtorch.</summary>
    public static bool Available => Loaded.Value is not null;

    /// <summary>Whether ATen may use oneDNN (mkldnn) kernels; null when unavailable.</summary>
    public static bool? OneDnnEnabled
    {
        get => Loaded.Value is { } e ? e.GetMkldnn(e.Context()) != 0 : null;
        set
        {
            if (Loaded.Value is { } e && value is { } on)
            {
                e.SetMkldnn(e.Context(), on ? (byte)1 : (byte)0);
            }
        }
    }

    /// <summary>The bundled oneMKL's version string, or null.</summary>
    public static string? MklVersion
    {
        get
        {
            if (Loaded.Value is not { MklVersion: not null } e)
            {
                return null;
            }

            var buffer = new byte[256];
            fixed (byte* p = buffer)
            {
                e.MklVersion(p, buffer.Length);
            }

            var text = Encoding.ASCII.GetString(buffer);
            var end = text.IndexOf('\0', StringComparison.Ordinal);
            return (end >= 0 ? text[..end] : text).Trim();
        }
    }

    private static Exports? Load()
    {
        torch.InitializeDeviceType(DeviceType.CPU);   // TorchSharp loads libtorch_cpu.so with its natives
        IntPtr handle = IntPtr.Zero;
        foreach (var candidate in new[]
                 {
                     "libtorch_cpu.so",
                     Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so"),
                 })
        {
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                break;
            }
        }

        if (handle == IntPtr.Zero
            || !NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out var context)
            || !NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledMkldnnEb", out var setMkldnn)
            || !NativeLibrary.TryGetExport(handle, "_ZNK2at7Context17userEnabledMkldnnEv", out var getMkldnn))
        {
            return null;
        }

        NativeLibrary.TryGetExport(handle, "MKL_Get_Version_String", out var mklVersion);
        return new Exports(
            (delegate* unmanaged<IntPtr>)context,
            (delegate* unmanaged<IntPtr, byte, void>)setMkldnn,
            (delegate* unmanaged<IntPtr, byte>)getMkldnn,
            mklVersion == IntPtr.Zero ? null : (delegate* unmanaged<byte*, int, void>)mklVersion);
    }

    private sealed class Exports(
        delegate* unmanaged<IntPtr> context,
        delegate* unmanaged<IntPtr, byte, void> setMkldnn,
        delegate* unmanaged<IntPtr, byte> getMkldnn,
        delegate* unmanaged<byte*, int, void> mklVersion)
    {
        public delegate* unmanaged<IntPtr> Context { get; } = context;

        public delegate* unmanaged<IntPtr, byte, void> SetMkldnn { get; } = setMkldnn;

        public delegate* unmanaged<IntPtr, byte> GetMkldnn { get; } = getMkldnn;

        public delegate* unmanaged<byte*, int, void> MklVersion { get; } = mklVersion;
    }
}
