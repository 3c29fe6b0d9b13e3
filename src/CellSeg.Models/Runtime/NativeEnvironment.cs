using System.Runtime.InteropServices;

namespace CellSeg.Models.Runtime;

/// <summary>
/// Environment variables that native libraries (libtorch, oneDNN, oneMKL) read with getenv. On Linux,
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only .NET's own copy, so a
/// variable meant for libtorch is also set in the C environment here, before the library loads.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>The C environment's value (what getenv in a native library sees), or null.</summary>
    public static string? Get(string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Environment.GetEnvironmentVariable(name);
        }

        var value = getenv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }

    /// <summary>Sets the variable in the C environment and in .NET's copy (so child processes inherit it too).</summary>
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsLinux() && setenv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);
}
