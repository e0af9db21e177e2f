using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Datasets;

namespace SharpnessML.Datasets.Tests;

public sealed class BundledDataTests
{
    private static string Sha256(params string[] paths) =>
        Convert.ToHexStringLower(SHA256.HashData(paths.SelectMany(File.ReadAllBytes).ToArray()));

    [Fact]
    public void BundledFilesAreTheRepositorysBytes()
    {
        Assert.Equal(Sha256(RepositoryPaths.Data("abalone", "abalone.data")), AbaloneDataset.BundledSha256);
        // A study's fingerprint of a Cora folder hashes its cora.* files in ordinal order: cites, then content.
        Assert.Equal(Sha256(RepositoryPaths.Data("cora", "cora.cites"), RepositoryPaths.Data("cora", "cora.content.gz")), CoraDataset.BundledSha256);
        Assert.Equal(File.ReadAllBytes(RepositoryPaths.Data("PROVENANCE.md")), ReadAll("PROVENANCE.md"));
        Assert.Equal(File.ReadAllBytes(RepositoryPaths.Data("cora", "planetoid-split.tsv")), ReadAll(CoraDataset.PublicSplitFile));
    }

    private static byte[] ReadAll(string name)
    {
        using var stream = BundledData.Open(name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public void BundledLoadsGiveTheSameDataAsTheFiles()
    {
        var ml = new MLContext(seed: 0);
        var bundled = AbaloneDataset.Load(ml).GetColumn<float>("Rings").ToArray();
        var file = AbaloneDataset.Load(ml, RepositoryPaths.Data("abalone", "abalone.data")).GetColumn<float>("Rings").ToArray();
        Assert.Equal(4177, bundled.Length);
        Assert.Equal(file, bundled);

        using var fromBundle = CoraDataset.Load();
        using var fromFolder = CoraDataset.Load(RepositoryPaths.Data("cora"));
        Assert.Equal(CoraDataset.NodeCount, fromBundle.NodeCount);
        Assert.Equal(fromFolder.Features.shape, fromBundle.Features.shape);
        Assert.True(fromBundle.Features.allclose(fromFolder.Features, rtol: 0, atol: 0));
        Assert.Equal(fromFolder.EdgeIndex.shape, fromBundle.EdgeIndex.shape);
        Assert.True(fromBundle.EdgeIndex.eq(fromFolder.EdgeIndex).all().item<bool>());
    }

    [Fact]
    public void AnUnknownBundledFileIsRefusedWithTheList()
    {
        var error = Assert.Throws<ArgumentException>(() => BundledData.Open("iris.csv"));
        Assert.Contains("abalone.data", error.Message);
    }

    [Fact]
    public void AMissingAbaloneFileIsNamed()
    {
        var error = Assert.Throws<FileNotFoundException>(() => AbaloneDataset.Load(new MLContext(), "/nonexistent/abalone.data"));
        Assert.Contains("/nonexistent/abalone.data", error.Message);
    }
}
