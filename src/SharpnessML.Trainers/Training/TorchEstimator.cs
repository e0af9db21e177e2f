using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// The base of every TorchSharp estimator (modelled on ML.NET's <c>TorchSharpBaseTrainer</c>). It owns what they
/// share: the options (validated when the estimator is created and again at <see cref="Fit(IDataView)"/>), the
/// feature and label columns read into tensors, the class count of a classifier (the label's key count, or the
/// largest label + 1), the device, the default loss, the ML.NET host whose channel receives the training progress
/// (subscribe to <see cref="MLContext.Log"/> to see it), the <see cref="TorchNetworkTransformer"/> returned with the
/// options' output column names, and <see cref="GetOutputSchema"/>. A trainer supplies only
/// <see cref="TrainNetwork"/>: how its network is built and trained. Create trainers through the catalogs
/// (<c>mlContext.Regression.Trainers.Mlp(...)</c> and the like).
/// </summary>
/// <typeparam name="TOptions">The trainer's options class.</typeparam>
public abstract class TorchEstimator<TOptions> : IEstimator<TorchNetworkTransformer>
    where TOptions : TorchEstimatorOptions
{
    private readonly IHost host;

    private protected TorchEstimator(IHostEnvironment env, TOptions options, NetworkTask task)
    {
        ArgumentNullException.ThrowIfNull(env);
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Task = task;
        options.Validate();
        // A fixed host seed: registering draws nothing from the caller's random sequence, so adding this trainer to a
        // pipeline changes no other component's seed (ours come from the options, never from the host).
        host = env.Register(GetType().Name, seed: 0);
        // The transformer builds its output columns with an MLContext; a catalog's environment is ML.NET's
        // internal one, so a fresh context (seeds come from the options, never from the context) serves there.
        MLContext = env as MLContext ?? new MLContext();
    }

    /// <summary>The options this trainer was created with.</summary>
    public TOptions Options { get; }

    /// <summary>Regression or classification.</summary>
    public NetworkTask Task { get; }

    /// <summary>The context the returned transformer builds its ML.NET mapping with.</summary>
    private protected MLContext MLContext { get; }

    /// <summary>The loss the options ask for; null means the task's default (MSE or cross-entropy).</summary>
    private protected virtual LossFunction? ConfiguredLoss => null;

    /// <summary>Trains a network on <paramref name="input"/>.</summary>
    public TorchNetworkTransformer Fit(IDataView input) => Fit(input, onEpoch: null);

    /// <summary>Trains a network on <paramref name="input"/>, reporting each epoch's index and mean training loss.</summary>
    public TorchNetworkTransformer Fit(IDataView input, Action<int, double>? onEpoch)
    {
        ArgumentNullException.ThrowIfNull(input);
        Options.Validate();
        using var data = SupervisedTensors.FromDataView(input, Options.FeatureColumnName, Options.LabelColumnName, Task);
        return Fit(data, Task == NetworkTask.Regression ? 1 : CountClasses(input, data), onEpoch);
    }

    /// <summary>
    /// Trains a network on data already held as tensors (e.g. by a study that trains many members on the same data
    /// and converts it from its <see cref="IDataView"/> once). The tensors are not modified or disposed.
    /// </summary>
    /// <param name="data">Features [n, d] and labels (float [n] for regression, int64 class indices for classification), on the CPU.</param>
    /// <param name="outputCount">1 for regression; the number of classes for classification.</param>
    /// <param name="onEpoch">Called with each epoch's index and mean training loss.</param>
    public TorchNetworkTransformer Fit(SupervisedTensors data, int outputCount, Action<int, double>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (outputCount < 1) throw new ArgumentOutOfRangeException(nameof(outputCount), outputCount, "outputCount must be at least 1.");
        var device = TorchRuntime.ParseDevice(Options.Device, nameof(Options.Device));
        var loss = ConfiguredLoss ?? Losses.DefaultFor(Task);
        using var channel = host.Start("Training");
        var trained = TrainNetwork(new TrainingRequest(data, outputCount, device, loss, channel, onEpoch));
        try
        {
            return new TorchNetworkTransformer(MLContext, trained.Spec, trained.Network, Task, loss,
                Options.FeatureColumnName, Options.LabelColumnName, trained.Summary, Options.ScoreColumnName, Options.PredictedLabelColumnName);
        }
        catch
        {
            trained.Network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds and trains the network: the one thing each trainer does its own way. The returned network is owned by
    /// the transformer from then on (and disposed here should the transformer refuse it); on failure the trainer
    /// disposes what it built.
    /// </summary>
    private protected abstract TrainedNetwork TrainNetwork(TrainingRequest request);

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var found = inputSchema.Where(c => c.Name == Options.FeatureColumnName).ToList();
        if (found.Count == 0)
            throw new ArgumentException($"The input has no feature column '{Options.FeatureColumnName}'.", nameof(inputSchema));
        var features = found[0];
        if (features.ItemType != NumberDataViewType.Single || features.Kind == SchemaShape.Column.VectorKind.VariableVector)
            throw new ArgumentException($"Feature column '{Options.FeatureColumnName}' must be a Single or a known-size vector of Single; it is {features.Kind} of {features.ItemType}.", nameof(inputSchema));
        if (!inputSchema.Any(c => c.Name == Options.LabelColumnName))
            throw new ArgumentException($"The input has no label column '{Options.LabelColumnName}'.", nameof(inputSchema));
        // SchemaShape carries no vector sizes, so any width describes the output's kinds and types.
        return TorchNetworkTransformer
            .CreateMappingEstimator(MLContext, Options.FeatureColumnName, 1, Task, 2, Options.ScoreColumnName, Options.PredictedLabelColumnName,
                (_, _) => { }, (_, _) => { })
            .GetOutputSchema(inputSchema);
    }

    private int CountClasses(IDataView input, SupervisedTensors data)
    {
        var labelType = input.Schema[Options.LabelColumnName].Type;
        int classes = labelType is KeyDataViewType key ? checked((int)key.Count) : (int)data.Labels.max().item<long>() + 1;
        if (classes < 2)
            throw new ArgumentException($"Label column '{Options.LabelColumnName}' holds a single class; a classifier needs at least two.", nameof(input));
        return classes;
    }
}

/// <summary>What a trainer's network is trained on, as <see cref="TorchEstimator{TOptions}"/> prepared it.</summary>
/// <param name="Data">Features and labels on the CPU; not to be modified or disposed.</param>
/// <param name="OutputCount">1 for regression; the class count for classification.</param>
/// <param name="Device">The options' device, parsed.</param>
/// <param name="Loss">The training loss: the options' or the task's default.</param>
/// <param name="Channel">The ML.NET channel that receives the progress messages.</param>
/// <param name="OnEpoch">The caller's per-epoch callback (index, mean training loss), if any.</param>
internal sealed record TrainingRequest(SupervisedTensors Data, int OutputCount, Device Device, LossFunction Loss, IChannel Channel, Action<int, double>? OnEpoch);

/// <summary>A trained network, its spec (what the model file stores to rebuild it) and what training did.</summary>
internal sealed record TrainedNetwork(NetworkSpec Spec, nn.Module<Tensor, Tensor> Network, TrainingSummary Summary);
