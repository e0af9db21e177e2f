using System.Buffers.Binary;
using System.IO.Compression;
using SharpnessML.Trainers.Data;

namespace SharpnessML.Datasets;

/// <summary>
/// Reads IDX files, the format of MNIST and FashionMNIST (LeCun et al., "THE MNIST DATABASE",
/// http://yann.lecun.com/exdb/mnist/): a 4-byte magic number (two zero bytes, a data-type code, the
/// number of dimensions), one big-endian int32 per dimension, then the values row-major. Files may
/// be gzip-compressed (detected from their first two bytes, not their name). Every data type the
/// format defines is read — unsigned bytes (0x08, what MNIST's image and label files hold), signed
/// bytes, int16, int32, float32 and float64 — and kept as the file's big-endian bytes
/// (<see cref="IdxArray.ToSingles"/> converts them). Every malformation is an
/// <see cref="InvalidDataException"/> whose message names the file, the reason and, where it helps,
/// the byte offset (in the decompressed stream for gzip files).
/// </summary>
internal static class IdxReader
{
    /// <summary>The IDX data-type code of unsigned bytes.</summary>
    public const byte UnsignedByteType = 0x08;

    private const int BufferSize = 1 << 20;

    /// <summary>Reads the IDX file at <paramref name="path"/>, plain or gzip-compressed.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxItems">
    /// Read only the first this many items (along the first dimension); <c>null</c> reads all and
    /// also checks that nothing follows the data.
    /// </param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a well-formed IDX file, not a regular file, or larger than <see cref="InputFile.MaxIdxBytes"/> on disk or decompressed.
    /// </exception>
    public static IdxArray Read(string path, int? maxItems = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' is a folder, not a file.", path);
        InputFile.Check(path, "IDX file", InputFile.MaxIdxBytes);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        bool compressed = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        if (!compressed) return Read(file, path, maxItems);
        try
        {
            using var gzip = InputFile.Bounded(new GZipStream(file, CompressionMode.Decompress), path, InputFile.MaxIdxBytes);
            using var buffered = new BufferedStream(gzip, BufferSize);
            return Read(buffered, path, maxItems, offsetNote: " of the decompressed data");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(Prefix(path), StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{Prefix(path)} is not a valid gzip file: {e.Message}", e);
        }
    }

    /// <summary>Reads an uncompressed IDX stream (decompress it first if needed).</summary>
    /// <param name="stream">The stream, positioned at the magic number.</param>
    /// <param name="name">The file name used in error messages.</param>
    /// <param name="maxItems">Read only the first this many items; <c>null</c> reads all and checks the stream ends there.</param>
    /// <exception cref="InvalidDataException">The stream is not a well-formed IDX stream.</exception>
    public static IdxArray Read(Stream stream, string name, int? maxItems = null) => Read(stream, name, maxItems, offsetNote: "");

    private static IdxArray Read(Stream stream, string name, int? maxItems, string offsetNote)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (maxItems < 0) throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "maxItems must be non-negative.");

        var magic = new byte[4];
        ReadExactly(stream, magic, 0, name, "the 4-byte magic number", offsetNote);
        if (magic[0] != 0 || magic[1] != 0)
            throw Invalid(name, $"has the bad magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8} at byte offset 0; " +
                                "an IDX file starts with two zero bytes, a data-type code and the number of dimensions");
        int elementSize = ElementSize(magic[2]);
        if (elementSize == 0)
            throw Invalid(name, $"holds data of type 0x{magic[2]:X2} ({TypeName(magic[2])}) (byte offset 2); IDX types are 0x08 (unsigned byte), " +
                                "0x09 (signed byte), 0x0B (int16), 0x0C (int32), 0x0D (float32) and 0x0E (float64)");
        int rank = magic[3];
        if (rank == 0) throw Invalid(name, "declares 0 dimensions (byte offset 3)");

        var header = new byte[4 * rank];
        ReadExactly(stream, header, 4, name, $"the {rank} dimension sizes", offsetNote);
        var dimensions = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * i));
            if (dimensions[i] < 0)
                throw Invalid(name, $"declares dimension {i} as {dimensions[i]} (byte offset {4 + 4 * i}); sizes must be non-negative");
        }
        long itemSize = dimensions.Skip(1).Aggregate(1L, (a, d) => a * d) * elementSize;
        long declaredBytes = dimensions[0] * itemSize;
        if (itemSize > int.MaxValue || declaredBytes > Array.MaxLength || declaredBytes > InputFile.MaxIdxBytes)
            throw Invalid(name, $"declares dimensions [{string.Join(", ", dimensions)}], {declaredBytes} bytes, more than the limit of {InputFile.Size(InputFile.MaxIdxBytes)}");

        long dataStart = 4 + 4L * rank;
        int count = Math.Min(dimensions[0], maxItems ?? int.MaxValue);
        // Memory grows with the data that arrives, never with what a header claims: a short file or stream fails
        // "truncated" having held at most what it had.
        var data = ReadUpTo(stream, count * itemSize, out int read);
        if (read < count * itemSize)
            throw Invalid(name, $"is truncated: its header declares [{string.Join(", ", dimensions)}], {declaredBytes} data bytes from byte offset {dataStart}, " +
                                $"but the data ends at byte offset {dataStart + read}{offsetNote} (item {read / Math.Max(1, itemSize)})");
        if (count == dimensions[0] && stream.ReadByte() >= 0)
            throw Invalid(name, $"has bytes after the end of its data at byte offset {dataStart + declaredBytes}{offsetNote}; " +
                                $"the declared dimensions [{string.Join(", ", dimensions)}] do not account for the whole file");
        return new IdxArray(dimensions, count, data, magic[2]);
    }

    private static byte[] ReadUpTo(Stream stream, long wanted, out int read)
    {
        const int chunk = 64 << 20;
        if (wanted <= chunk || (stream.CanSeek && stream.Length - stream.Position >= wanted))
        {
            var whole = new byte[wanted];
            read = stream.ReadAtLeast(whole, whole.Length, throwOnEndOfStream: false);
            return whole;
        }

        var parts = new List<byte[]>();
        long total = 0;
        while (total < wanted)
        {
            var part = new byte[Math.Min(chunk, wanted - total)];
            int n = stream.ReadAtLeast(part, part.Length, throwOnEndOfStream: false);
            total += n;
            if (n < part.Length)
            {
                read = (int)total;
                return Array.Empty<byte>();
            }

            parts.Add(part);
        }

        var data = new byte[wanted];
        long at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(data, at);
            at += part.Length;
        }

        read = (int)total;
        return data;
    }

    private static void ReadExactly(Stream stream, byte[] buffer, long offset, string name, string what, string offsetNote)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw Invalid(name, $"is truncated: it ends at byte offset {offset + read}{offsetNote}, inside {what}");
    }

    /// <summary>Whether <paramref name="path"/> starts like an IDX file (after gzip decompression): two zero bytes, a known
    /// data-type code and at least one dimension. Reads only the first four bytes; false for a missing or unreadable file.</summary>
    /// <param name="path">The file.</param>
    public static bool LooksLikeIdx(string path)
    {
        if (!InputFile.IsRegular(path)) return false; // opening a FIFO would block
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            bool compressed = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream stream = compressed ? new GZipStream(file, CompressionMode.Decompress) : file;
            var magic = new byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4
                   && magic[0] == 0 && magic[1] == 0 && ElementSize(magic[2]) > 0 && magic[3] > 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Bytes per value of the IDX data type <paramref name="code"/>; 0 for a code the format does not define.</summary>
    internal static int ElementSize(byte code) => code switch
    {
        0x08 or 0x09 => 1,
        0x0B => 2,
        0x0C or 0x0D => 4,
        0x0E => 8,
        _ => 0,
    };

    /// <summary>The name of the IDX data type <paramref name="code"/>.</summary>
    internal static string TypeName(byte code) => code switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };

    private static string Prefix(string name) => $"IDX file '{name}'";

    private static InvalidDataException Invalid(string name, string reason) => new($"{Prefix(name)} {reason}.");
}
