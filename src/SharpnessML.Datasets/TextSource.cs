using System.IO.Compression;
using SharpnessML.Trainers.Data;

namespace SharpnessML.Datasets;

/// <summary>
/// Where a loader reads its lines from: a file on disk or a bundled file, under the name its error messages use.
/// Files whose name ends in <c>.gz</c> are decompressed; a trailing carriage return is dropped from each line. A file is
/// refused unless it is a regular file of at most <see cref="InputFile.MaxTextBytes"/>, on disk and decompressed.
/// </summary>
internal sealed record TextSource(string Name, Func<Stream> Open)
{
    /// <summary>A file on disk; a missing file is refused with its path.</summary>
    public static TextSource FromFile(string path, string what)
    {
        if (Directory.Exists(path)) throw new FileNotFoundException($"{what} '{path}' is a folder, not a file.", path);
        InputFile.Check(path, what, InputFile.MaxTextBytes);
        return new TextSource(path, () => File.OpenRead(path));
    }

    /// <summary>A file bundled in this assembly (<see cref="BundledData"/>), named <c>bundled:&lt;name&gt;</c> in messages.</summary>
    public static TextSource FromBundled(string fileName) => new("bundled:" + fileName, () => BundledData.Open(fileName));

    /// <summary>The lines, read lazily.</summary>
    public IEnumerable<string> ReadLines()
    {
        using var raw = Open();
        using Stream stream = Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? InputFile.Bounded(new GZipStream(raw, CompressionMode.Decompress), Name, InputFile.MaxTextBytes)
            : raw;
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) != null) yield return line.TrimEnd('\r');
    }
}
