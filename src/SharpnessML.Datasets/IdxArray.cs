using System.Buffers.Binary;

namespace SharpnessML.Datasets;

/// <summary>
/// The contents of an IDX file (LeCun et al.'s MNIST format): the dimensions the header declares, the
/// data type, and the first <see cref="Count"/> items, row-major, as the file's bytes (one per value
/// for unsigned bytes, the type's size in big-endian order otherwise).
/// </summary>
internal sealed class IdxArray
{
    /// <summary>Creates an array of unsigned bytes; <paramref name="data"/> must hold <paramref name="count"/> items.</summary>
    /// <param name="dimensions">The dimensions the header declares; the first counts the items.</param>
    /// <param name="count">Items actually read (at most <c>dimensions[0]</c>).</param>
    /// <param name="data">The values, <paramref name="count"/> × item size bytes.</param>
    public IdxArray(IReadOnlyList<int> dimensions, int count, byte[] data)
        : this(dimensions, count, data, IdxReader.UnsignedByteType)
    {
    }

    /// <summary>Creates an array of the IDX data type <paramref name="dataType"/>; <paramref name="data"/> must hold <paramref name="count"/> items.</summary>
    /// <param name="dimensions">The dimensions the header declares; the first counts the items.</param>
    /// <param name="count">Items actually read (at most <c>dimensions[0]</c>).</param>
    /// <param name="data">The values as the file stores them (big-endian), <paramref name="count"/> × item size × element size bytes.</param>
    /// <param name="dataType">The IDX type code: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.</param>
    public IdxArray(IReadOnlyList<int> dimensions, int count, byte[] data, byte dataType)
    {
        ElementSize = IdxReader.ElementSize(dataType);
        if (ElementSize == 0) throw new ArgumentOutOfRangeException(nameof(dataType), dataType, $"0x{dataType:X2} is not an IDX data type.");
        DataType = dataType;
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Count < 1) throw new ArgumentException("An IDX array has at least one dimension.", nameof(dimensions));
        if (count < 0 || count > dimensions[0])
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Count must be between 0 and the declared {dimensions[0]} items.");
        Dimensions = dimensions;
        Count = count;
        ItemSize = checked((int)dimensions.Skip(1).Aggregate(1L, (a, d) => a * d));
        if (data.LongLength != (long)count * ItemSize * ElementSize)
            throw new ArgumentException($"Expected {(long)count * ItemSize * ElementSize} bytes ({count} items of {ItemSize} values of {ElementSize} bytes), got {data.LongLength}.", nameof(data));
        Data = data;
    }

    /// <summary>The dimensions declared in the file's header (e.g. [60000, 28, 28] for FashionMNIST's training images).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Items read: the first dimension, or fewer when the reader was asked for a prefix.</summary>
    public int Count { get; }

    /// <summary>Values per item: the product of all dimensions but the first (784 for 28×28 images, 1 for labels).</summary>
    public int ItemSize { get; }

    /// <summary>The IDX data-type code (<see cref="IdxReader.UnsignedByteType"/> for MNIST's files).</summary>
    public byte DataType { get; }

    /// <summary>Bytes per value: 1 for (un)signed bytes, 2 for int16, 4 for int32 and float32, 8 for float64.</summary>
    public int ElementSize { get; }

    /// <summary>The name of <see cref="DataType"/> (e.g. "unsigned byte", "float32").</summary>
    public string TypeName => IdxReader.TypeName(DataType);

    /// <summary>The values of the first <see cref="Count"/> items, row-major, as the file stores them (big-endian for multi-byte types).</summary>
    public byte[] Data { get; }

    /// <summary>
    /// All values as Single, row-major: bytes and integers exactly (up to 2²⁴), float64 rounded to the
    /// nearest Single. Non-finite floats are kept (callers check).
    /// </summary>
    public float[] ToSingles()
    {
        var values = new float[(long)Count * ItemSize];
        var bytes = Data.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = DataType switch
            {
                0x08 => bytes[i],
                0x09 => (sbyte)bytes[i],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(bytes.Slice(2 * i)),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 * i)),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(bytes.Slice(4 * i)),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(bytes.Slice(8 * i)),
            };
        }
        return values;
    }
}
