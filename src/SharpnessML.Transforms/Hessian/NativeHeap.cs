using System.Runtime.InteropServices;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// Bytes of native memory in use, the measure <see cref="HessianOperator"/> sizes a retained gradient graph with.
/// libtorch allocates CPU tensors with <c>posix_memalign</c>, so on glibc the bytes its tensors hold are glibc's
/// allocated bytes: <c>mallinfo2()</c>'s <c>uordblks</c> (in the heap arenas) plus <c>hblkhd</c> (mapped blocks),
/// summed over every arena. Unlike the resident set size, this falls when a tensor is freed and does not count memory
/// malloc keeps for reuse (the <c>sharpnessml</c> command keeps it, see <c>TorchRuntime.RetainFreedNativeMemory</c>).
/// Off glibc (or before glibc 2.33) it falls back to the process's working set, which only rises when the graph needs
/// more than the process already holds, so the estimate can be low there.
/// </summary>
internal static class NativeHeap
{
    private static bool mallinfoMissing = !OperatingSystem.IsLinux();

    /// <summary>Native bytes in use now (see the class).</summary>
    public static long InUseBytes()
    {
        if (!mallinfoMissing)
        {
            try
            {
                var info = mallinfo2();
                return (long)(info.uordblks + info.hblkhd);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                mallinfoMissing = true;
            }
        }
        return Environment.WorkingSet;
    }

    // struct mallinfo2 of <malloc.h> (glibc 2.33): ten size_t fields.
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc")]
    private static extern MallInfo2 mallinfo2();
}
