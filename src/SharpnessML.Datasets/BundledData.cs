using System.Reflection;
using System.Security.Cryptography;

namespace SharpnessML.Datasets;

/// <summary>
/// The data files bundled inside this assembly as embedded resources — <c>abalone.data</c>, <c>abalone.names</c>,
/// <c>cora.content.gz</c>, <c>cora.cites</c>, Cora's <c>README</c>, Planetoid's public Cora split as paper ids
/// (<c>planetoid-split.tsv</c>) and <c>PROVENANCE.md</c> (sources, licences,
/// citations) — byte for byte as in the repository's <c>data/</c> folder, so the loaders work in any program and from
/// any working directory.
/// </summary>
public static class BundledData
{
    /// <summary>The names of the bundled files.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        new[] { "abalone.data", "abalone.names", "cora.content.gz", "cora.cites", "cora.README", "planetoid-split.tsv", "PROVENANCE.md" };

    /// <summary>Opens a bundled file for reading.</summary>
    /// <param name="fileName">One of <see cref="FileNames"/>.</param>
    public static Stream Open(string fileName)
    {
        if (!FileNames.Contains(fileName))
            throw new ArgumentException($"'{fileName}' is not a bundled data file; the bundled files are {string.Join(", ", FileNames)}.", nameof(fileName));
        return typeof(BundledData).Assembly.GetManifestResourceStream("SharpnessML.Datasets." + fileName)
               ?? throw new InvalidOperationException($"The bundled data file '{fileName}' is missing from {typeof(BundledData).Assembly.GetName().Name}.");
    }

    /// <summary>Writes a bundled file to <paramref name="path"/> (for tools that want a file on disk).</summary>
    public static void CopyTo(string fileName, string path)
    {
        using var source = Open(fileName);
        using var target = File.Create(path);
        source.CopyTo(target);
    }

    /// <summary>The SHA-256 of the concatenated bytes of the given bundled files, in lower-case hex.</summary>
    public static string Sha256(params string[] fileNames)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in fileNames)
        {
            using var stream = Open(name);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
