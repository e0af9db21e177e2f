using System.IO.Compression;
using SharpnessML.Trainers.Graphs;
using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Datasets;

namespace SharpnessML.Datasets.Tests;

public class CoraDatasetTests
{
    [Fact]
    public void TheShippedCoraGraphHasTheKnownSizes()
    {
        using var graph = CoraDataset.Load();
        Assert.Equal(2708, graph.NodeCount);
        Assert.Equal(1433, graph.FeatureCount);
        Assert.Equal(7, graph.ClassCount);
        Assert.Equal(2708, EdgeIndex.CountSelfLoops(graph.EdgeIndex));
        Assert.Equal(10556 + 2708, graph.EdgeCount);
        Assert.Equal(CoraDataset.UndirectedEdgeCount, (graph.EdgeCount - 2708) / 2);
        Assert.Equal(2708, graph.NodeIds!.Count);
        Assert.Equal("31336", graph.NodeIds[0]); // first line of cora.content
    }

    [Fact]
    public void ThePublicSplitHasPlanetoidsSizesAndClassCounts()
    {
        using var graph = CoraDataset.Load();
        var split = CoraDataset.PublicSplit(graph);
        Assert.Equal((140, 500, 1000), (split.Train.Count, split.Validation.Count, split.Test.Count));
        var labels = graph.LabelArray();
        int[] Counts(IReadOnlyList<long> nodes, params string[] order) =>
            order.Select(name => nodes.Count(n => graph.ClassNames[(int)labels[n]] == name)).ToArray();
        // PyG's Planetoid("Cora") class order; its public masks give these counts per class (y[mask].bincount()).
        string[] pyg = { "Theory", "Reinforcement_Learning", "Genetic_Algorithms", "Neural_Networks", "Probabilistic_Methods", "Case_Based", "Rule_Learning" };
        Assert.Equal(Enumerable.Repeat(20, 7), Counts(split.Train, pyg));
        Assert.Equal(new[] { 61, 36, 78, 158, 81, 57, 29 }, Counts(split.Validation, pyg));
        Assert.Equal(new[] { 130, 91, 144, 319, 149, 103, 64 }, Counts(split.Test, pyg));
        // The file's class column (Planetoid's labels) agrees with cora.content's label of the paper each line names.
        var byId = graph.NodeIds!.Select((id, k) => (id, k)).ToDictionary(t => t.id, t => t.k);
        var lines = BundledLines(CoraDataset.PublicSplitFile).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('\t')).ToList();
        Assert.All(lines, f => Assert.Equal(f[3], graph.ClassNames[(int)labels[byId[f[2]]]]));
        Assert.Equal(split.Train.Concat(split.Validation).Concat(split.Test), lines.Select(f => (long)byId[f[2]]));
        Assert.Equal(Enumerable.Range(0, 640), lines.Take(640).Select(f => int.Parse(f[1]))); // Planetoid nodes 0–639, in order
    }

    private static IEnumerable<string> BundledLines(string name)
    {
        using var reader = new StreamReader(BundledData.Open(name));
        while (reader.ReadLine() is { } line) yield return line;
    }

    [Fact]
    public void ClassesFollowTheLabelNamesAndHaveTheKnownFrequencies()
    {
        using var graph = CoraDataset.Load();
        var expected = new Dictionary<string, int>
        {
            ["Case_Based"] = 298, ["Genetic_Algorithms"] = 418, ["Neural_Networks"] = 818, ["Probabilistic_Methods"] = 426,
            ["Reinforcement_Learning"] = 217, ["Rule_Learning"] = 180, ["Theory"] = 351,
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), graph.ClassNames);
        var counts = graph.LabelArray().GroupBy(l => l).ToDictionary(g => graph.ClassNames[(int)g.Key], g => g.Count());
        Assert.Equal(expected, counts);
    }

    [Fact]
    public void EdgesAreSymmetricAndFeaturesAreRowNormalised()
    {
        using var graph = CoraDataset.Load();
        using var scope = torch.NewDisposeScope();
        var source = graph.EdgeIndex[0].data<long>().ToArray();
        var target = graph.EdgeIndex[1].data<long>().ToArray();
        var edges = source.Zip(target).ToHashSet();
        Assert.Equal(source.Length, edges.Count);
        Assert.All(edges, e => Assert.Contains((e.Second, e.First), edges));
        Assert.True(torch.allclose(graph.Features.sum(1), torch.ones(graph.NodeCount), rtol: 0, atol: 1e-5));

        using var raw = CoraDataset.Load(normalizeFeatures: false);
        Assert.Equal(49216, raw.Features.sum().item<float>()); // PROVENANCE.md: 49216 words set
        Assert.True(raw.Features.eq(0).logical_or(raw.Features.eq(1)).all().item<bool>());
    }

    [Fact]
    public void PlainAndGzippedFilesLoadTheSameGraphAndDuplicateLinksCountOnce()
    {
        using var dir = new TempDirectory();
        var content = "p1\t1\t0\t1\tA\np2\t0\t1\t0\tB\np3\t1\t1\t1\tA\n";
        File.WriteAllText(dir.File("cora.content"), content);
        File.WriteAllText(dir.File("cora.cites"), "p1\tp2\np2\tp1\np3\tp1\np2\tp2\n");
        using var plain = CoraDataset.Load(dir.Path);
        Assert.Equal(3, plain.NodeCount);
        Assert.Equal(3, plain.FeatureCount);
        Assert.Equal(new[] { "A", "B" }, plain.ClassNames);
        Assert.Equal(2 * 2 + 3, plain.EdgeCount); // {p1,p2}, {p1,p3} both ways + 3 self-loops

        using var gzDir = new TempDirectory();
        using (var file = File.Create(gzDir.File("cora.content.gz")))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gz))
            writer.Write(content);
        File.Copy(dir.File("cora.cites"), gzDir.File("cora.cites"));
        using var zipped = CoraDataset.Load(gzDir.Path);
        Assert.True(TensorAssert.SameValues(plain.Features, zipped.Features));
        Assert.True(TensorAssert.SameValues(plain.Labels, zipped.Labels));
        Assert.True(TensorAssert.SameValues(plain.EdgeIndex, zipped.EdgeIndex));
    }

    [Theory]
    [InlineData("p1\t1\t0\tA\np2\t0\t1\tB\np3\t1\tA\n", "p1\tp2\n", "cora.content:3:", "expected 4 tab-separated fields")]
    [InlineData("p1\t1\t0\tA\np2\t0\t2\tB\n", "p1\tp2\n", "cora.content:2:", "field 3 (word 2) is '2'; expected 0 or 1")]
    [InlineData("p1\t1\t0\tA\np2\t0\t1\tB\np1\t1\t1\tA\n", "p1\tp2\n", "cora.content:3:", "already appeared on line 1")]
    [InlineData("p1\t1\t0\tA\np2\t0\t1\tB\n", "p1\tp2\np2\tp9\n", "cora.cites:2:", "citing paper id 'p9' is not in the content file")]
    [InlineData("p1\t1\t0\tA\np2\t0\t1\tB\n", "p1\tp2\n\np7\tp1\n", "cora.cites:3:", "cited paper id 'p7'")]
    [InlineData("p1\t1\t0\tA\np2\t0\t1\tB\n", "p1\tp2\np1 p2\n", "cora.cites:2:", "expected 2 tab-separated paper ids")]
    [InlineData("", "p1\tp2\n", "cora.content:", "no data lines")]
    public void MalformedFilesAreRejectedWithTheFileLineAndReason(string content, string cites, string where, string reason)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("cora.content"), content);
        File.WriteAllText(dir.File("cora.cites"), cites);
        var e = Assert.Throws<InvalidDataException>(() => CoraDataset.Load(dir.Path));
        Assert.Contains(where, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void MissingFilesAreReported()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("cora.content"), "p1\t1\tA\n");
        var e = Assert.Throws<FileNotFoundException>(() => CoraDataset.Load(dir.Path));
        Assert.Contains("cora.cites", e.Message);
    }

    [Fact]
    public void TheStandardSplitHas20NodesPerClass500Validation1000TestDisjointAndSeeded()
    {
        using var graph = CoraDataset.Load();
        var labels = graph.LabelArray();
        var split = CoraDataset.StandardSplit(graph, seed: 3);
        Assert.Equal(140, split.Train.Count);
        Assert.Equal(500, split.Validation.Count);
        Assert.Equal(1000, split.Test.Count);
        Assert.All(split.Train.GroupBy(n => labels[n]), g => Assert.Equal(20, g.Count()));
        Assert.Equal(7, split.Train.Select(n => labels[n]).Distinct().Count());
        Assert.Equal(1640, split.Train.Concat(split.Validation).Concat(split.Test).Distinct().Count());
        Assert.All(split.Train.Concat(split.Validation).Concat(split.Test), n => Assert.InRange(n, 0, 2707));

        var again = CoraDataset.StandardSplit(graph, seed: 3);
        Assert.Equal(split.Train, again.Train);
        Assert.Equal(split.Validation, again.Validation);
        Assert.Equal(split.Test, again.Test);
        var other = CoraDataset.StandardSplit(graph, seed: 4);
        Assert.NotEqual(split.Train, other.Train);
    }

    [Fact]
    public void ASplitThatNeedsMoreNodesThanTheGraphHasIsRefused()
    {
        var labels = new long[] { 0, 0, 1, 1, 1 };
        Assert.Throws<ArgumentException>(() => NodeSplit.Random(labels, 2, seed: 0, trainPerClass: 3, validation: 0, test: 0));
        Assert.Throws<ArgumentException>(() => NodeSplit.Random(labels, 2, seed: 0, trainPerClass: 1, validation: 2, test: 2));
        Assert.Throws<ArgumentException>(() => new NodeSplit(new long[] { 0, 1 }, new long[] { 1 }, Array.Empty<long>()));
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharpnessml-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
