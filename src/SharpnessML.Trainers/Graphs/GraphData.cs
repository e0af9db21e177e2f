using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// A node-classification graph held as tensors: node features [N, F] float32, labels [N] int64
/// (class indices into <see cref="ClassNames"/>) and an edge index [2, E] int64 (see
/// <see cref="Graphs.EdgeIndex"/>). The object owns its tensors and disposes them.
/// </summary>
public sealed class GraphData : IDisposable
{
    /// <summary>Creates the graph; the tensors are owned by this object from now on.</summary>
    /// <param name="features">Node features, [N, F] float32.</param>
    /// <param name="labels">Class index of each node, [N] int64, each in [0, classNames.Count).</param>
    /// <param name="edgeIndex">Edges, [2, E] int64, sources in row 0 and targets in row 1, all in [0, N).</param>
    /// <param name="classNames">Name of each class, by index.</param>
    /// <param name="nodeIds">The original identifier of each node (e.g. a paper id), by index; optional.</param>
    public GraphData(Tensor features, Tensor labels, Tensor edgeIndex, IReadOnlyList<string> classNames, IReadOnlyList<string>? nodeIds = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (features.dtype != float32 || features.dim() != 2)
            throw new ArgumentException($"Features must be a float32 tensor [N, F]; got {features.dtype} [{string.Join(", ", features.shape)}].", nameof(features));
        long n = features.shape[0];
        if (labels.dtype != int64 || labels.dim() != 1 || labels.shape[0] != n)
            throw new ArgumentException($"Labels must be an int64 tensor [{n}]; got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        Graphs.EdgeIndex.Check(edgeIndex, nameof(edgeIndex));
        if (classNames.Count < 1) throw new ArgumentException("A graph needs at least one class name.", nameof(classNames));
        if (nodeIds is not null && nodeIds.Count != n)
            throw new ArgumentException($"nodeIds has {nodeIds.Count} entries for {n} nodes.", nameof(nodeIds));
        using (var scope = torch.NewDisposeScope())
        {
            if (n > 0 && (labels.min().item<long>() < 0 || labels.max().item<long>() >= classNames.Count))
                throw new ArgumentException($"Labels must lie in [0, {classNames.Count}).", nameof(labels));
            if (edgeIndex.shape[1] > 0 && (edgeIndex.min().item<long>() < 0 || edgeIndex.max().item<long>() >= n))
                throw new ArgumentException($"Edge endpoints must lie in [0, {n}).", nameof(edgeIndex));
        }
        Features = features;
        Labels = labels;
        EdgeIndex = edgeIndex;
        ClassNames = classNames;
        NodeIds = nodeIds;
    }

    /// <summary>Node features, [N, F] float32.</summary>
    public Tensor Features { get; }

    /// <summary>Class index of each node, [N] int64.</summary>
    public Tensor Labels { get; }

    /// <summary>Directed edges, [2, E] int64: sources in row 0, targets in row 1.</summary>
    public Tensor EdgeIndex { get; }

    /// <summary>Class names, by class index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The original identifier of each node, by node index, when known.</summary>
    public IReadOnlyList<string>? NodeIds { get; }

    /// <summary>N, the number of nodes.</summary>
    public int NodeCount => (int)Features.shape[0];

    /// <summary>F, the number of features per node.</summary>
    public int FeatureCount => (int)Features.shape[1];

    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>E, the number of directed edges, self-loops included.</summary>
    public long EdgeCount => EdgeIndex.shape[1];

    /// <summary>The class index of every node, copied to an array.</summary>
    public long[] LabelArray()
    {
        using var scope = torch.NewDisposeScope();
        return Labels.cpu().data<long>().ToArray();
    }

    /// <summary>
    /// The nodes as an ML.NET view, one row per node in node order (what <see cref="GatTrainer"/>
    /// reads): <c>Features</c>, a vector of <see cref="FeatureCount"/> Single, and <c>Label</c>, a
    /// key over the <see cref="ClassCount"/> classes (key = class + 1).
    /// </summary>
    public IDataView ToDataView(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        float[] features;
        using (var scope = torch.NewDisposeScope()) features = Features.cpu().data<float>().ToArray();
        var labels = LabelArray();
        int width = FeatureCount;
        var rows = new NodeRow[NodeCount];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new NodeRow { Features = features[(i * width)..((i + 1) * width)], Label = (uint)labels[i] };
        var schema = SchemaDefinition.Create(typeof(NodeRow));
        schema[nameof(NodeRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema[nameof(NodeRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), ClassCount);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>A row of <see cref="ToDataView"/>: one node.</summary>
    public sealed class NodeRow
    {
        /// <summary>The node's features.</summary>
        public float[] Features { get; set; } = Array.Empty<float>();

        /// <summary>The node's class index, 0-based (ML.NET binds a key-typed member 0-based and stores key = class + 1).</summary>
        public uint Label { get; set; }
    }

    /// <summary>A copy on <paramref name="device"/>, or this object when it is already there.</summary>
    public GraphData To(Device device) =>
        Features.device_type == device.type && Features.device_index == device.index
            ? this
            : new GraphData(Features.to(device), Labels.to(device), EdgeIndex.to(device), ClassNames, NodeIds);

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
        EdgeIndex.Dispose();
    }
}
