using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpnessML.Trainers.Native;

/// <summary>
/// The native environment libtorch runs in. Both settings are skipped when the user chose their own
/// (<c>OMP_WAIT_POLICY</c>, <c>GLIBC_TUNABLES</c> or <c>MALLOC_*</c> in the environment) and off glibc.
/// <list type="bullet">
/// <item>OpenMP's wait policy is set to PASSIVE before libgomp loads, when this assembly loads (a module initializer:
/// libgomp reads the variable once, at load, from the C environment, so this uses libc's <c>setenv</c>;
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> only changes .NET's copy). With the default
/// (active) policy, torch's worker threads spin while waiting; on a machine with as many threads as cores and anything
/// else running, the spinning threads steal the cores the real work needs — measured on LeNet-5 with 2 threads on 2
/// busy cores: 188–267 ms a step active, 43 ms passive.</item>
/// <item>Only when a program asks (<see cref="TorchRuntime.RetainFreedNativeMemory"/>; the <c>sharpnessml</c> command
/// does, at start): glibc's malloc keeps freed memory instead of returning it to the kernel after every step
/// (<c>mallopt(M_MMAP_THRESHOLD, 32 MiB)</c>, <c>mallopt(M_TRIM_THRESHOLD, 1 GiB)</c>). libtorch allocates each
/// activation with <c>posix_memalign</c>; with glibc's defaults, blocks of a few hundred KiB are mapped and unmapped
/// on every step, and each page is faulted in and zeroed again — measured on LeNet-5 (batch 64, one thread, busy
/// machine): 255,000 page faults and 95 ms a step by default, 85,000 and 39 ms with these settings. Memory stays flat
/// (the freed blocks are reused, not leaked); the process keeps its high-water mark. A library does not change a
/// process's allocator on its own, hence the opt-in.</item>
/// </list>
/// </summary>
internal static class NativeEnvironment
{
    private const int MallocTrimThreshold = -1; // M_TRIM_THRESHOLD in <malloc.h>
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD in <malloc.h>

#pragma warning disable CA2255 // A library module initializer is the point: it must run before any torch call loads libgomp.
    [ModuleInitializer]
    internal static void Initialize()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: leave the default.
        }
    }
#pragma warning restore CA2255

    /// <summary>Raises glibc's mmap and trim thresholds, unless the user tuned malloc themselves; returns whether it did.</summary>
    internal static bool RetainFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        bool userTunedMalloc = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") != null ||
                               Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(k => k.StartsWith("MALLOC_", StringComparison.Ordinal));
        if (userTunedMalloc) return false;
        try
        {
            mallopt(MallocMmapThreshold, 32 << 20); // glibc's largest allowed value on 64-bit
            mallopt(MallocTrimThreshold, 1 << 30);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc
        }
    }

    [DllImport("libc", BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc")]
    private static extern int mallopt(int parameter, int value);
}
