using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// A graph attention network (Veličković et al., 2018) for transductive node classification as an
/// ML.NET estimator. The input view has one row per node, in node order (row i is node i): a
/// feature vector and a label. The graph is the edge index given to the catalog, and the
/// training, validation and test nodes are a <see cref="NodeSplit"/> (by default the standard
/// random split of 20 nodes per class, 500 and 1000, drawn with the options' seed).
/// <see cref="TorchEstimator{TOptions}.Fit(IDataView)"/> trains with <see cref="GatTrainingLoop"/> and returns a
/// <see cref="TorchNetworkTransformer"/> holding a <see cref="GatNetwork"/> bound to the graph: it scores all
/// nodes of the graph in one pass, and the library's model file stores its edges and training
/// nodes with the weights. Create it with <c>mlContext.MulticlassClassification.Trainers.Gat(...)</c>.
/// </summary>
public sealed class GatTrainer : TorchEstimator<GatOptions>
{
    private readonly long[] edges;
    private readonly long edgeCount;

    /// <summary>Creates the estimator; the options are validated and the edge index copied here.</summary>
    /// <param name="env">The ML.NET environment (an <see cref="MLContext"/>) whose log receives the training progress.</param>
    /// <param name="edgeIndex">The graph, an int64 tensor [2, E] (see <see cref="EdgeIndex"/>); endpoints are row indices of the data.</param>
    /// <param name="options">Architecture, optimizer, schedule, columns and seed.</param>
    /// <param name="split">Training, validation and test nodes; null draws the standard random split with the options' seed.</param>
    internal GatTrainer(IHostEnvironment env, Tensor edgeIndex, GatOptions options, NodeSplit? split = null)
        : base(env, options, NetworkTask.MulticlassClassification)
    {
        EdgeIndex.Check(edgeIndex, nameof(edgeIndex));
        Split = split;
        edgeCount = edgeIndex.shape[1];
        using var scope = torch.NewDisposeScope();
        edges = edgeIndex.cpu().contiguous().data<long>().ToArray();
    }

    /// <summary>The node split, or null for the standard random split.</summary>
    public NodeSplit? Split { get; }

    /// <summary>
    /// The last fitted model's history and metrics (train, validation and test nodes, evaluation
    /// mode); null before the first fit.
    /// </summary>
    public GatFitReport? LastFit { get; private set; }

    /// <summary>Trains on every node at once (row i of the data is node i) and binds the network to the graph.</summary>
    private protected override TrainedNetwork TrainNetwork(TrainingRequest request)
    {
        var data = request.Data;
        int classes = request.OutputCount;
        var names = Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using var graph = new GraphData(data.Features.clone(), data.Labels.clone(), torch.tensor(edges, new long[] { 2, edgeCount }, dtype: int64), names);
        var split = Split ?? NodeSplit.Random(graph.LabelArray(), classes, Options.Seed);
        Action<int, double, NodeClassificationMetrics>? onEpoch = request.OnEpoch is { } report ? (epoch, loss, _) => report(epoch, loss) : null;
        using var model = GatTrainingLoop.Train(graph, split, Options, onEpoch, request.Channel);
        LastFit = new GatFitReport(model.History, model.TrainMetrics, model.ValidationMetrics, model.TestMetrics);
        var network = model.Network.Bind(graph.NodeCount, graph.EdgeIndex, split.Train);
        var history = model.History;
        return new TrainedNetwork(network.GraphSpec!, network, new TrainingSummary(history.Epochs, history.Epochs, history.TrainLosses, history.Elapsed));
    }
}

/// <summary>What a <see cref="GatTrainer"/> fit did.</summary>
/// <param name="History">Epoch-by-epoch losses, the kept epoch and the wall time.</param>
/// <param name="Train">Loss and accuracy on the training nodes (evaluation mode, the kept weights).</param>
/// <param name="Validation">Loss and accuracy on the validation nodes.</param>
/// <param name="Test">Loss and accuracy on the test nodes.</param>
public sealed record GatFitReport(GatTrainingHistory History, NodeClassificationMetrics Train, NodeClassificationMetrics Validation, NodeClassificationMetrics Test);
