using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Trainers.Graphs;

namespace SharpnessML.Datasets;

/// <summary>
/// The Cora citation graph in the LINQS distribution (McCallum et al., 2000; Sen et al., 2008):
/// 2708 papers with 1433 binary word features and one of 7 subject labels, 5429 citation links
/// (5278 distinct undirected edges). <see cref="Load(string, bool)"/> reads the two files strictly
/// and returns the graph with undirected edges (both directions) plus a self-loop per node, the
/// form GAT's and GCN's reference code use. Also reads other graphs in the same two-file format.
/// </summary>
public static class CoraDataset
{
    /// <summary>Nodes (papers) in Cora.</summary>
    public const int NodeCount = 2708;

    /// <summary>Word features per node.</summary>
    public const int FeatureCount = 1433;

    /// <summary>Subject classes.</summary>
    public const int ClassCount = 7;

    /// <summary>Distinct undirected citation edges (self-links excluded).</summary>
    public const int UndirectedEdgeCount = 5278;

    /// <summary>
    /// Loads the Cora files bundled in this package (<c>cora.content.gz</c>, <c>cora.cites</c>; see
    /// <see cref="BundledData"/>), from any working directory.
    /// </summary>
    /// <param name="normalizeFeatures">Divide each feature row by its sum (default true); see <see cref="Load(string, string, bool)"/>.</param>
    public static GraphData Load(bool normalizeFeatures = true) =>
        Load(TextSource.FromBundled(BundledContentFile), TextSource.FromBundled(BundledCitesFile), normalizeFeatures);

    /// <summary>The bundled node file's name in <see cref="BundledData"/>.</summary>
    public const string BundledContentFile = "cora.content.gz";

    /// <summary>The bundled link file's name in <see cref="BundledData"/>.</summary>
    public const string BundledCitesFile = "cora.cites";

    /// <summary>The SHA-256 of the bundled files, link file first (the order of their names in a folder).</summary>
    public static string BundledSha256 => BundledData.Sha256(BundledCitesFile, BundledContentFile);

    /// <summary>
    /// Loads <c>cora.content</c> (or <c>cora.content.gz</c>) and <c>cora.cites</c> (or
    /// <c>cora.cites.gz</c>) from <paramref name="directory"/>; a plain file wins over a gzipped one.
    /// </summary>
    /// <param name="directory">Folder holding the two files.</param>
    /// <param name="normalizeFeatures">Divide each feature row by its sum (default true).</param>
    public static GraphData Load(string directory, bool normalizeFeatures = true)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Cora folder '{directory}' does not exist.");
        return Load(FindFile(directory, "cora.content"), FindFile(directory, "cora.cites"), normalizeFeatures);
    }

    /// <summary>
    /// Reads a LINQS-format graph. <paramref name="contentPath"/>: one node a line, tab-separated
    /// <c>&lt;id&gt; &lt;w_1&gt; … &lt;w_F&gt; &lt;label&gt;</c> with every <c>w</c> 0 or 1 and the same F on every line
    /// (taken from the first line); node indices follow the file's order and class indices the
    /// ordinal order of the label names. <paramref name="citesPath"/>: one link a line,
    /// <c>&lt;cited id&gt; &lt;citing id&gt;</c>, both ids in the content file; a link is taken as an
    /// undirected edge, repeats count once and self-links add nothing (every node gets a self-loop).
    /// Files ending in <c>.gz</c> are decompressed. Empty lines are skipped; a trailing carriage
    /// return is ignored.
    /// </summary>
    /// <param name="contentPath">The node file.</param>
    /// <param name="citesPath">The link file.</param>
    /// <param name="normalizeFeatures">
    /// Divide each feature row by its sum, so a paper's features sum to 1 (rows of zeros stay zero),
    /// as the reference code of Kipf &amp; Welling (2017, <c>preprocess_features</c>) and of
    /// Veličković et al. (2018) does before training. Default true.
    /// </param>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file, the line number and the reason.</exception>
    public static GraphData Load(string contentPath, string citesPath, bool normalizeFeatures = true) =>
        Load(TextSource.FromFile(contentPath, "Graph file"), TextSource.FromFile(citesPath, "Graph file"), normalizeFeatures);

    private static GraphData Load(TextSource contentPath, TextSource citesPath, bool normalizeFeatures)
    {
        var (ids, words, labelNames, featureCount) = ReadContent(contentPath);
        var index = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (int i = 0; i < ids.Count; i++) index[ids[i]] = i;
        var pairs = ReadCites(citesPath, index);

        var classNames = labelNames.Distinct().Order(StringComparer.Ordinal).ToArray();
        var classIndex = classNames.Select((name, i) => (name, i)).ToDictionary(t => t.name, t => (long)t.i, StringComparer.Ordinal);
        var labels = labelNames.Select(l => classIndex[l]).ToArray();

        int n = ids.Count;
        var features = new float[(long)n * featureCount];
        for (int i = 0; i < n; i++)
        {
            var row = words[i];
            int ones = 0;
            foreach (bool w in row) if (w) ones++;
            float value = normalizeFeatures && ones > 0 ? 1f / ones : 1f;
            for (int j = 0; j < featureCount; j++)
                if (row[j]) features[(long)i * featureCount + j] = value;
        }
        Tensor? x = null, y = null, edges = null;
        try
        {
            x = torch.tensor(features, new long[] { n, featureCount }, dtype: float32);
            y = torch.tensor(labels, dtype: int64);
            edges = EdgeIndex.FromUndirectedPairs(n, pairs, addSelfLoops: true);
            return new GraphData(x, y, edges, classNames, ids);
        }
        catch
        {
            x?.Dispose();
            y?.Dispose();
            edges?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The standard semi-supervised split of Cora (20 training nodes per class, 500 validation,
    /// 1000 test), drawn with <paramref name="seed"/>; see <see cref="NodeSplit.Random"/>.
    /// </summary>
    public static NodeSplit StandardSplit(GraphData graph, int seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return NodeSplit.Random(graph.LabelArray(), graph.ClassCount, seed);
    }

    /// <summary>
    /// Planetoid's public split of Cora (Yang, Cohen &amp; Salakhutdinov 2016) — the one PyTorch Geometric's
    /// <c>Planetoid("Cora")</c> masks give, used by the seed paper's GAT notebook: 140 training nodes (20 per class),
    /// 500 validation, 1,000 test, each list in Planetoid's node order (PyG's node indices), as node indices of
    /// <paramref name="graph"/>. The bundled <c>planetoid-split.tsv</c> names the papers by id; it was made by
    /// <c>data/cora/make_planetoid_split.py</c>, which matches each Planetoid node to its LINQS paper by its word vector
    /// and checks that the citations map exactly (27 nodes share their words with others; those are placed where every
    /// citation is kept, and any other such placement only swaps indistinguishable nodes).
    /// </summary>
    /// <param name="graph">Cora with its paper ids (<see cref="GraphData.NodeIds"/>), e.g. from <see cref="Load(bool)"/>.</param>
    /// <exception cref="InvalidDataException">The graph has no paper ids, or lacks a paper of the split.</exception>
    public static NodeSplit PublicSplit(GraphData graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.NodeIds is null) throw new InvalidDataException("Planetoid's public split names papers by id, and this graph has no paper ids.");
        var node = graph.NodeIds.Select((id, i) => (id, i)).ToDictionary(t => t.id, t => (long)t.i, StringComparer.Ordinal);
        var sets = new Dictionary<string, List<long>>(StringComparer.Ordinal) { ["train"] = new(), ["validation"] = new(), ["test"] = new() };
        foreach (var line in TextSource.FromBundled(PublicSplitFile).ReadLines())
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split('\t');
            if (!node.TryGetValue(fields[2], out long index))
                throw new InvalidDataException($"Planetoid's public split needs paper '{fields[2]}', which this Cora graph does not have (use the LINQS files).");
            sets[fields[0]].Add(index);
        }

        return new NodeSplit(sets["train"], sets["validation"], sets["test"]);
    }

    /// <summary>The bundled public split's name in <see cref="BundledData"/>.</summary>
    public const string PublicSplitFile = "planetoid-split.tsv";

    private static string FindFile(string directory, string name)
    {
        var plain = Path.Combine(directory, name);
        if (File.Exists(plain)) return plain;
        var gz = plain + ".gz";
        if (File.Exists(gz)) return gz;
        throw new FileNotFoundException($"Neither '{name}' nor '{name}.gz' is in '{directory}'.", plain);
    }

    private static (List<string> Ids, List<bool[]> Words, List<string> Labels, int FeatureCount) ReadContent(TextSource path)
    {
        var ids = new List<string>();
        var words = new List<bool[]>();
        var labels = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int fieldCount = -1, lineNumber = 0;
        foreach (var line in path.ReadLines())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fieldCount < 0)
            {
                if (fields.Length < 3)
                    throw new InvalidDataException($"{path.Name}:{lineNumber}: expected tab-separated fields <paper id> <words…> <label>, found {fields.Length} field(s).");
                fieldCount = fields.Length;
            }
            else if (fields.Length != fieldCount)
                throw new InvalidDataException($"{path.Name}:{lineNumber}: expected {fieldCount} tab-separated fields (paper id, {fieldCount - 2} words, label) as on the first line, found {fields.Length}.");
            var id = fields[0];
            if (id.Length == 0) throw new InvalidDataException($"{path.Name}:{lineNumber}: the paper id (field 1) is empty.");
            if (seen.TryGetValue(id, out int firstLine))
                throw new InvalidDataException($"{path.Name}:{lineNumber}: paper id '{id}' already appeared on line {firstLine}.");
            seen[id] = lineNumber;
            var row = new bool[fieldCount - 2];
            for (int j = 0; j < row.Length; j++)
            {
                var w = fields[j + 1];
                if (w == "1") row[j] = true;
                else if (w != "0")
                    throw new InvalidDataException($"{path.Name}:{lineNumber}: field {j + 2} (word {j + 1}) is '{w}'; expected 0 or 1.");
            }
            var label = fields[^1];
            if (label.Length == 0) throw new InvalidDataException($"{path.Name}:{lineNumber}: the class label (field {fieldCount}) is empty.");
            ids.Add(id);
            words.Add(row);
            labels.Add(label);
        }
        if (ids.Count == 0) throw new InvalidDataException($"{path.Name}: the file has no data lines.");
        return (ids, words, labels, fieldCount - 2);
    }

    private static List<(int, int)> ReadCites(TextSource path, Dictionary<string, int> index)
    {
        var pairs = new List<(int, int)>();
        int lineNumber = 0;
        foreach (var line in path.ReadLines())
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fields.Length != 2)
                throw new InvalidDataException($"{path.Name}:{lineNumber}: expected 2 tab-separated paper ids <cited> <citing>, found {fields.Length} field(s).");
            if (!index.TryGetValue(fields[0], out int cited))
                throw new InvalidDataException($"{path.Name}:{lineNumber}: cited paper id '{fields[0]}' is not in the content file.");
            if (!index.TryGetValue(fields[1], out int citing))
                throw new InvalidDataException($"{path.Name}:{lineNumber}: citing paper id '{fields[1]}' is not in the content file.");
            pairs.Add((cited, citing));
        }
        return pairs;
    }
}
