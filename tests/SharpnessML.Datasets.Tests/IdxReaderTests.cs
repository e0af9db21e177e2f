using System.IO.Compression;
using SharpnessML.Datasets;

namespace SharpnessML.Datasets.Tests;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("sharpnessml-idx-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Two 2×3 items: header 0x00000803, dims 2, 2, 3, then bytes 0..11 scaled by 20.</summary>
    private static byte[] TinyImages() =>
        new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3 }
            .Concat(Enumerable.Range(0, 12).Select(i => (byte)(i * 20))).ToArray();

    private string Write(string name, byte[] bytes, bool gzip = false)
    {
        var path = Path.Combine(directory, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Optimal);
        zip.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsExactValuesPlainAndGzip(bool gzip)
    {
        var path = Write(gzip ? "tiny-idx3-ubyte.gz" : "tiny-idx3-ubyte", TinyImages(), gzip);
        var array = IdxReader.Read(path);
        Assert.Equal(new[] { 2, 2, 3 }, array.Dimensions);
        Assert.Equal(2, array.Count);
        Assert.Equal(6, array.ItemSize);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)(i * 20)), array.Data);
    }

    [Fact]
    public void DetectsGzipFromTheContentNotTheName()
    {
        var path = Write("no-extension", TinyImages(), gzip: true);
        Assert.Equal(12, IdxReader.Read(path).Data.Length);
    }

    [Fact]
    public void ReadsOnlyTheFirstItemsWhenAsked()
    {
        var path = Write("tiny.gz", TinyImages(), gzip: true);
        var array = IdxReader.Read(path, maxItems: 1);
        Assert.Equal(new[] { 2, 2, 3 }, array.Dimensions);
        Assert.Equal(1, array.Count);
        Assert.Equal(new byte[] { 0, 20, 40, 60, 80, 100 }, array.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BadMagicNumberNamesTheFile(bool gzip)
    {
        var bytes = TinyImages();
        bytes[0] = 0x12;
        var path = Write("bad-magic", bytes, gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic number 0x12000803 at byte offset 0", e.Message);
    }

    [Fact]
    public void UnsupportedDataTypeNamesTheType()
    {
        var bytes = TinyImages();
        bytes[2] = 0x0A;
        var path = Write("unknown-type", bytes);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x0A (not an IDX type)", e.Message);
    }

    [Fact]
    public void ReadsEveryIdxTypeExactly()
    {
        // One item of three values per type: -2, 0.5 (or 0 for integers), 300 (or 200/44 for bytes) in big-endian order.
        static byte[] File(byte type, byte[] values) => new byte[] { 0, 0, type, 2, 0, 0, 0, 1, 0, 0, 0, 3 }.Concat(values).ToArray();
        var cases = new (byte Type, byte[] Values, float[] Expected)[]
        {
            (0x08, new byte[] { 254, 0, 200 }, new[] { 254f, 0, 200 }),
            (0x09, new byte[] { 254, 0, 44 }, new[] { -2f, 0, 44 }),
            (0x0B, new byte[] { 0xFF, 0xFE, 0, 0, 0x01, 0x2C }, new[] { -2f, 0, 300 }),
            (0x0C, new byte[] { 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0x01, 0x2C }, new[] { -2f, 0, 300 }),
            (0x0D, new byte[] { 0xC0, 0, 0, 0, 0x3F, 0, 0, 0, 0x43, 0x96, 0, 0 }, new[] { -2f, 0.5f, 300 }),
            (0x0E, new byte[] { 0xC0, 0, 0, 0, 0, 0, 0, 0, 0x3F, 0xE0, 0, 0, 0, 0, 0, 0, 0x40, 0x72, 0xC0, 0, 0, 0, 0, 0 }, new[] { -2f, 0.5f, 300 }),
        };
        foreach (var (type, values, expected) in cases)
        {
            var array = IdxReader.Read(Write($"type-{type:X2}", File(type, values)));
            Assert.Equal(type, array.DataType);
            Assert.Equal(3, array.ItemSize);
            Assert.Equal(expected, array.ToSingles());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataGivesTheOffsetWhereItEnds(bool gzip)
    {
        var path = Write("truncated", TinyImages()[..^1], gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("ends at byte offset 27", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsRefused()
    {
        var path = Write("short-header", TinyImages()[..10]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("ends at byte offset 10, inside the 3 dimension sizes", e.Message);
    }

    [Fact]
    public void CutGzipStreamIsRefused()
    {
        var whole = Path.Combine(directory, "whole.gz");
        Write("whole.gz", TinyImages(), gzip: true);
        var bytes = File.ReadAllBytes(whole);
        var path = Write("cut.gz", bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TrailingBytesAreRefused()
    {
        var path = Write("trailing", TinyImages().Append((byte)7).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("after the end of its data at byte offset 28", e.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        var path = Path.Combine(directory, "absent");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
    }
}
