using System.Globalization;
using System.Runtime.InteropServices;

namespace SharpnessML.Trainers.Data;

/// <summary>
/// The guard every reader of a user's file passes first: the path must be an existing regular file (a folder, FIFO,
/// device or socket is refused before it is opened, so a FIFO without a writer or <c>/dev/zero</c> cannot block or
/// exhaust anything) no larger than the reader's documented limit, and what a reader decompresses is bounded too
/// (<see cref="Bounded"/>). The limits are the README's "Reliability" table.
/// </summary>
internal static class InputFile
{
    private const long MiB = 1L << 20;

    /// <summary>A CSV or other text data file (score/select <c>--data</c>, Abalone, Cora), on disk or decompressed: 256 MiB.</summary>
    public const long MaxTextBytes = 256 * MiB;

    /// <summary>One IDX file, on disk or decompressed: 1 GiB (FashionMNIST's largest file is 47 MB).</summary>
    public const long MaxIdxBytes = 1024 * MiB;

    /// <summary>A study file (JSON or YAML): 1 MiB.</summary>
    public const long MaxStudyFileBytes = 1 * MiB;

    /// <summary>A model file or TorchScript file on disk: 512 MiB.</summary>
    public const long MaxModelBytes = 512 * MiB;

    /// <summary>One entry of a model zip or TorchScript zip, declared and actually decompressed: 256 MiB.</summary>
    public const long MaxEntryBytes = 256 * MiB;

    /// <summary>All entries of one zip together, declared: 512 MiB.</summary>
    public const long MaxArchiveBytes = 512 * MiB;

    /// <summary>
    /// Checks that <paramref name="path"/> is an existing regular file of at most <paramref name="maxBytes"/> bytes and
    /// returns its length; otherwise one message naming it.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="what">How messages name it, e.g. <c>Data file</c>.</param>
    /// <param name="maxBytes">The reader's limit.</param>
    /// <exception cref="FileNotFoundException">Nothing is at the path.</exception>
    /// <exception cref="InvalidDataException">A folder, a FIFO, device or socket, or a file larger than the limit.</exception>
    public static long Check(string path, string what, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"{what} '{path}' is a folder, not a file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        if (!IsRegular(path)) throw new InvalidDataException($"{what} '{path}' is not a regular file (a FIFO, device or socket); give a file.");
        long length = new FileInfo(path).Length;
        if (length > maxBytes)
            throw new InvalidDataException($"{what} '{path}' is {Size(length)}; the limit is {Size(maxBytes)}.");
        return length;
    }

    /// <summary>Whether <paramref name="path"/> names a regular file (following symbolic links); false when nothing is there.</summary>
    public static bool IsRegular(string path)
    {
        if (!File.Exists(path)) return false;
        if (OperatingSystem.IsWindows()) return true; // no FIFOs or devices behind ordinary paths there
        return FileType(path) is not { } mode || mode == RegularFile;
    }

    /// <summary>
    /// <paramref name="stream"/>, failing with one message naming <paramref name="name"/> as soon as more than
    /// <paramref name="maxBytes"/> bytes have been read from it (a decompression bomb, a header that lies).
    /// </summary>
    public static Stream Bounded(Stream stream, string name, long maxBytes) => new BoundedStream(stream, name, maxBytes);

    /// <summary>A byte count as "1,073,741,824 bytes (1024 MiB)".</summary>
    public static string Size(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes") + (bytes >= MiB ? string.Create(CultureInfo.InvariantCulture, $" ({bytes / (double)MiB:0.#} MiB)") : "");

    private const uint FileTypeMask = 0xF000; // S_IFMT
    private const uint RegularFile = 0x8000;  // S_IFREG

    /// <summary>The S_IFMT bits of stat(2) on <paramref name="path"/>, or null when they cannot be read here.</summary>
    private static uint? FileType(string path)
    {
        // st_mode's offset in glibc's struct stat: after st_dev, st_ino and st_nlink on x86-64; after st_dev and st_ino elsewhere (arm64).
        int offset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (offset < 0 || !OperatingSystem.IsLinux()) return null;
        var buffer = new byte[512];
        int result;
        try
        {
            result = Stat(path, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            result = XStat(1, path, buffer); // glibc before 2.33 exports stat only as __xstat
        }
        catch (DllNotFoundException)
        {
            return null;
        }

        if (result != 0) return null;
        return BitConverter.ToUInt32(buffer, offset) & FileTypeMask;
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);

    [DllImport("libc", EntryPoint = "__xstat", SetLastError = true)]
    private static extern int XStat(int version, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);

    private sealed class BoundedStream(Stream inner, string name, long maxBytes) : Stream
    {
        private long read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        private int Count(int n)
        {
            read += n;
            if (read > maxBytes) throw new InvalidDataException($"'{name}' decompresses to more than {Size(maxBytes)}, the limit.");
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
