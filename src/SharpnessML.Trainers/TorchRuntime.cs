using TorchSharp;

namespace SharpnessML.Trainers;

/// <summary>
/// One place that starts TorchSharp, parses device names and makes seeded module construction
/// reproducible. TorchSharp initialises module weights from the process-wide generator, so every
/// seeded construction goes through <see cref="Seeded{T}"/>, which holds a lock while it seeds.
/// </summary>
public static class TorchRuntime
{
    private static readonly object SeedLock = new();

    /// <summary>Parses a device name (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) with a clear error.</summary>
    /// <param name="name">The device name as a user wrote it.</param>
    /// <param name="optionName">The option the name came from, used in the error message.</param>
    public static torch.Device ParseDevice(string name, string optionName = "Device")
    {
        EnsureInitialized();
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"{optionName} must name a device such as 'cpu' or 'cuda'.", optionName);
        var lower = name.Trim().ToLowerInvariant();
        if (lower.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
            throw new ArgumentException($"{optionName} is '{name}', but CUDA is not available on this machine (TorchSharp-cpu). Use 'cpu'.", optionName);
        try
        {
            return torch.device(lower);
        }
        catch (Exception e)
        {
            throw new ArgumentException($"{optionName} '{name}' is not a device name TorchSharp understands: {e.Message}", optionName, e);
        }
    }

    private static readonly Lazy<bool> NativeBackend = new(LoadNativeBackend, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads TorchSharp's native backend now, once per process, and throws an <see cref="InvalidOperationException"/>
    /// whose message says what failed and what to do when it cannot be loaded. SharpnessML calls this before its first
    /// torch call; call it yourself before using TorchSharp directly, ahead of any SharpnessML call. On Linux systems whose
    /// libstdc++ predates the one TorchSharp was built against (Debian 12), the library is loaded from a patched copy in a
    /// per-user cache (see the README, "TorchSharp on Debian 12").
    /// </summary>
    public static void EnsureInitialized() => _ = NativeBackend.Value;

    private static bool LoadNativeBackend()
    {
        Native.TorchNativeLibrary.Register();
        if (Native.TorchNativeLibrary.Preflight() is { } problem) throw NativeLoadFailure(problem.TrimEnd('.'));
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return true;
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            throw NativeLoadFailure(FirstLine(e));
        }
    }

    /// <summary>One paragraph: what failed, and what to check. TorchSharp's own exception (and trace) is left out on purpose.</summary>
    private static InvalidOperationException NativeLoadFailure(string reason) => new(
        $"SharpnessML could not load TorchSharp's native library (libtorch 2.10 through TorchSharp-cpu 0.107): {reason}. " +
        "Check that the program's output folder (or its runtimes/<rid>/native folder) holds libLibTorchSharp.so, libtorch.so, " +
        "libtorch_cpu.so and libc10.so — they come from the TorchSharp-cpu package, which SharpnessML.Trainers depends on, so a " +
        "restore and build normally put them there; that the machine is 64-bit x64 Linux, Windows or macOS on Arm; and that " +
        "the per-user cache folder (~/.cache/sharpnessml, or $XDG_CACHE_HOME) is writable. Set LD_DEBUG=libs to see what the " +
        "dynamic loader tried.");

    private static string FirstLine(Exception e)
    {
        var message = (e is TypeInitializationException { InnerException: { } inner } ? inner : e).Message;
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? e.GetType().Name;
        return line.TrimEnd('.');
    }

    /// <summary>Runs <paramref name="create"/> with the process-wide torch generator seeded, under a lock.</summary>
    public static T Seeded<T>(int seed, Func<T> create)
    {
        EnsureInitialized();
        lock (SeedLock)
        {
            torch.manual_seed(seed);
            return create();
        }
    }

    /// <summary>
    /// Makes glibc's malloc keep freed memory for reuse instead of returning it to the kernel after every training step
    /// (raises <c>M_MMAP_THRESHOLD</c> to 32 MiB and <c>M_TRIM_THRESHOLD</c> to 1 GiB): measured on LeNet-5 on a busy
    /// machine, 39 ms a step instead of 95 ms and a third of the page faults; memory stays flat, the process keeps its
    /// high-water mark. Call it once at the start of a program that trains; the <c>sharpnessml</c> command does. Skipped
    /// (returns false) off glibc and when <c>GLIBC_TUNABLES</c> or a <c>MALLOC_*</c> variable is set.
    /// </summary>
    public static bool RetainFreedNativeMemory() => Native.NativeEnvironment.RetainFreedMemory();

    /// <summary>Sets the number of intra-op threads torch uses, when given.</summary>
    public static void SetThreads(int? threads)
    {
        if (threads is null) return;
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Threads must be at least 1.");
        EnsureInitialized();
        torch.set_num_threads(threads.Value);
    }
}
