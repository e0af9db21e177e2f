using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Trainers;

/// <summary>
/// A trained TorchSharp network as an ML.NET transformer. It reads the feature column, runs the
/// network in evaluation mode and adds the score column (<see cref="ScoreColumnName"/>, default <c>Score</c>: a
/// scalar for regression; class probabilities for classification, plus the argmax as the key-typed
/// <see cref="PredictedLabelColumnName"/>, default <c>PredictedLabel</c>). It exposes the
/// module, its parameters and the loss it was trained with, so sharpness can be measured.
/// A network bound to a graph (<see cref="IWholeGraphNetwork"/>) scores every node at once: its input has one
/// row per node, in node order, and <see cref="Transform"/> runs one forward pass over all of them.
/// Persist it with the library's model file (<see cref="ModelFiles.SharpnessModelFile"/>): ML.NET 5
/// offers third parties no way to register loaders, so <see cref="Save"/> refuses.
/// </summary>
public sealed class TorchNetworkTransformer : ITransformer, IDisposable
{
    private readonly MLContext mlContext;
    private readonly object forwardLock = new();
    private ITransformer? mapper;

    /// <summary>Wraps a network. The transformer owns <paramref name="network"/> from now on.</summary>
    /// <param name="mlContext">The context the ML.NET mapping is built with.</param>
    /// <param name="spec">The architecture, enough to rebuild the module.</param>
    /// <param name="network">The trained module.</param>
    /// <param name="task">Regression or classification.</param>
    /// <param name="loss">The loss the network was trained with.</param>
    /// <param name="featureColumnName">Column the network reads.</param>
    /// <param name="labelColumnName">Column that held the training labels.</param>
    /// <param name="training">What training did, if known.</param>
    /// <param name="scoreColumnName">Output column of the prediction or class probabilities; default <c>Score</c>.</param>
    /// <param name="predictedLabelColumnName">Output column of a classifier's most probable class; default <c>PredictedLabel</c>.</param>
    public TorchNetworkTransformer(
        MLContext mlContext,
        NetworkSpec spec,
        nn.Module<Tensor, Tensor> network,
        NetworkTask task,
        LossFunction loss,
        string featureColumnName,
        string labelColumnName,
        TrainingSummary? training = null,
        string scoreColumnName = ColumnNames.Score,
        string predictedLabelColumnName = ColumnNames.PredictedLabel)
    {
        if (string.IsNullOrWhiteSpace(scoreColumnName)) throw new ArgumentException("The score column name must be set.", nameof(scoreColumnName));
        if (string.IsNullOrWhiteSpace(predictedLabelColumnName)) throw new ArgumentException("The predicted-label column name must be set.", nameof(predictedLabelColumnName));
        this.mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        Spec = spec;
        Network = network;
        Task = task;
        Loss = loss;
        FeatureColumnName = featureColumnName;
        LabelColumnName = labelColumnName;
        Training = training;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        if (task == NetworkTask.Regression && spec.OutputSize != 1)
            throw new ArgumentException($"A regression network must have one output; this one has {spec.OutputSize}.", nameof(spec));
        if (task == NetworkTask.MulticlassClassification && spec.OutputSize < 2)
            throw new ArgumentException($"A classification network needs at least two outputs; this one has {spec.OutputSize}.", nameof(spec));
        Network.eval();
    }

    /// <summary>The architecture, enough to rebuild the module.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The TorchSharp module. Measurements may perturb it temporarily and restore it exactly.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>Regression or classification.</summary>
    public NetworkTask Task { get; }

    /// <summary>The loss the network was trained with; sharpness measures use the same loss.</summary>
    public LossFunction Loss { get; }

    /// <summary>Column the network reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Column that held the training labels (used when measuring loss).</summary>
    public string LabelColumnName { get; }

    /// <summary>Column the transformer adds with the prediction (regression) or the class probabilities (classification).</summary>
    public string ScoreColumnName { get; }

    /// <summary>Key-typed column a classifier adds with the most probable class (regression adds none).</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Width of the feature vector the network expects.</summary>
    public int FeatureCount => Spec.InputSize;

    /// <summary>What training did, when this transformer came from a trainer in this process.</summary>
    public TrainingSummary? Training { get; }

    /// <summary>All trainable parameters, in registration order.</summary>
    public IReadOnlyList<Parameter> Parameters => Network.parameters().ToList();

    /// <summary>Runs the network on a [n, d] batch, in evaluation mode and without gradients.</summary>
    public Tensor Predict(Tensor features)
    {
        if (features.dim() != 2 || features.shape[1] != FeatureCount)
            throw new ArgumentException($"Expected features of shape [n, {FeatureCount}], got [{string.Join(", ", features.shape)}].", nameof(features));
        using var _ = torch.no_grad();
        lock (forwardLock) return Network.call(features);
    }

    /// <summary>
    /// Whether the network is bound to a graph and scores all rows (nodes) together (<see cref="IWholeGraphNetwork"/>),
    /// so a row's prediction depends on the other rows; such a transformer is not a row-to-row mapper.
    /// </summary>
    public bool IsGraphNetwork => Network is IWholeGraphNetwork;

    /// <inheritdoc />
    public bool IsRowToRowMapper => !IsGraphNetwork;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return Mapper.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        CheckInput(input.Schema);
        return IsGraphNetwork ? TransformGraph(input) : Mapper.Transform(input);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        if (IsGraphNetwork)
            throw new NotSupportedException("A graph network scores all nodes in one forward pass; use Transform on a view with one row per node, not a row-to-row mapper or prediction engine.");
        return Mapper.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Not supported by ML.NET 5 for third-party transformers; use the library's model file.</summary>
    public void Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "ML.NET cannot save a TorchSharp network. Save the model with mlContext.Sharpness().Model.Save(model, schema, path) " +
            "(SharpnessML.Trainers.ModelFiles.SharpnessModelFile), which stores the ML.NET chain and the network together.");

    /// <summary>Checks that the feature column exists with the right width, so torch never sees a bad shape.</summary>
    private void CheckInput(DataViewSchema schema)
    {
        var (_, width) = Data.SupervisedTensors.FindFeatureColumn(schema, FeatureColumnName);
        if (width != FeatureCount)
            throw new ArgumentException($"Feature column '{FeatureColumnName}' has {width} values per row, but the network expects {FeatureCount}.");
    }

    private ITransformer Mapper => mapper ??= BuildMapper();

    /// <summary>One forward pass over every row (node i = row i), appended as Score and PredictedLabel.</summary>
    private IDataView TransformGraph(IDataView input)
    {
        int nodes = ((IWholeGraphNetwork)Network).NodeCount, classes = Spec.OutputSize;
        var (column, width) = Data.SupervisedTensors.FindFeatureColumn(input.Schema, FeatureColumnName);
        var features = new float[(long)nodes * width];
        int rows = 0;
        using (var cursor = input.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                if (rows == nodes)
                    throw new ArgumentException($"The data has more than {nodes} rows; this graph network scores exactly one row per node of its graph.");
                getter(ref buffer);
                buffer.CopyTo(features, rows * width);
                rows++;
            }
        }
        if (rows != nodes)
            throw new ArgumentException($"The data has {rows} rows; this graph network scores exactly one row per node of its graph ({nodes}).");
        var probabilities = new float[nodes][];
        var predicted = new uint[nodes];
        using (var scope = torch.NewDisposeScope())
        {
            var logits = Predict(torch.tensor(features, new long[] { nodes, width }));
            var p = logits.softmax(1).data<float>().ToArray();
            var argmax = logits.argmax(1).data<long>().ToArray();
            for (int i = 0; i < nodes; i++)
            {
                probabilities[i] = p[(i * classes)..((i + 1) * classes)];
                predicted[i] = (uint)argmax[i] + 1; // key value = class + 1
            }
        }
        return new Graphs.NodeScoresDataView(input, probabilities, predicted, classes, ScoreColumnName, PredictedLabelColumnName);
    }

    private ITransformer BuildMapper()
    {
        var estimator = CreateMappingEstimator(mlContext, FeatureColumnName, FeatureCount, Task, Spec.OutputSize, ScoreColumnName, PredictedLabelColumnName,
            MapRegression, MapMulticlass);
        var input = SchemaDefinition.Create(typeof(FeatureRow));
        input[nameof(FeatureRow.Features)].ColumnName = FeatureColumnName;
        input[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
        return estimator.Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<FeatureRow>(), input));
    }

    /// <summary>
    /// The ML.NET mapping that adds the score columns. Trainers also use it, with no-op actions,
    /// to answer <c>GetOutputSchema</c> the way ML.NET's own estimators do.
    /// </summary>
    internal static IEstimator<ITransformer> CreateMappingEstimator(
        MLContext mlContext, string featureColumn, int featureCount, NetworkTask task, int classes, string scoreColumn, string predictedLabelColumn,
        Action<FeatureRow, RegressionScore> mapRegression, Action<FeatureRow, MulticlassScore> mapMulticlass)
    {
        var input = SchemaDefinition.Create(typeof(FeatureRow));
        input[nameof(FeatureRow.Features)].ColumnName = featureColumn;
        input[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        if (task == NetworkTask.Regression)
        {
            var output = SchemaDefinition.Create(typeof(RegressionScore));
            output[nameof(RegressionScore.Score)].ColumnName = scoreColumn;
            return mlContext.Transforms.CustomMapping(mapRegression, null, input, output);
        }
        var multiclass = SchemaDefinition.Create(typeof(MulticlassScore));
        var score = multiclass[nameof(MulticlassScore.Score)];
        var predicted = multiclass[nameof(MulticlassScore.PredictedLabel)];
        score.ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        predicted.ColumnType = new KeyDataViewType(typeof(uint), classes);
        // The indexer finds columns by their current name, so both are looked up before either is renamed.
        score.ColumnName = scoreColumn;
        predicted.ColumnName = predictedLabelColumn;
        return mlContext.Transforms.CustomMapping(mapMulticlass, null, input, multiclass);
    }

    private float[] Forward(float[] features)
    {
        using var scope = torch.NewDisposeScope();
        using var x = torch.tensor(features, new long[] { 1, features.Length });
        return Predict(x).reshape(-1).data<float>().ToArray();
    }

    private void MapRegression(FeatureRow row, RegressionScore score) => score.Score = Forward(row.Features)[0];

    private void MapMulticlass(FeatureRow row, MulticlassScore score)
    {
        var logits = Forward(row.Features);
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        var sum = exp.Sum();
        score.Score = exp.Select(e => (float)(e / sum)).ToArray();
        // ML.NET binds a key-typed uint member 0-based: it stores member value v as key v + 1
        // (and v ≥ count as the missing key 0), so the class index itself is written here.
        score.PredictedLabel = (uint)Array.IndexOf(logits, max);
    }

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();

    /// <summary>Input row of the mapping (the column name is set at run time).</summary>
    public sealed class FeatureRow
    {
        /// <summary>The feature vector.</summary>
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>Output row for regression.</summary>
    public sealed class RegressionScore
    {
        /// <summary>The prediction.</summary>
        public float Score { get; set; }
    }

    /// <summary>Output row for classification.</summary>
    public sealed class MulticlassScore
    {
        /// <summary>Class probabilities (softmax of the logits).</summary>
        public float[] Score { get; set; } = Array.Empty<float>();

        /// <summary>The most probable class, 0-based; ML.NET exposes it as the key class + 1.</summary>
        public uint PredictedLabel { get; set; }
    }
}
