using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// The estimator behind every feed-forward TorchSharp trainer: reads the data into tensors once,
/// builds the network from a spec with a seeded initialisation, runs the shared
/// <see cref="TrainingLoop"/> and returns a <see cref="TorchNetworkTransformer"/>. A concrete
/// trainer only says which network to build. Training progress (each epoch's number, training loss and
/// validation loss) goes through the caller's ML.NET environment, like ML.NET's own trainers: subscribe to
/// <see cref="MLContext.Log"/> to see it.
/// </summary>
/// <typeparam name="TOptions">The trainer's options class.</typeparam>
public abstract class TorchNetworkTrainer<TOptions> : IEstimator<TorchNetworkTransformer>
    where TOptions : TorchTrainerOptions
{
    private readonly MLContext mlContext;
    private readonly IHost host;

    /// <summary>Creates the trainer; options are validated here, so mistakes surface before any data is read.</summary>
    /// <param name="env">The ML.NET environment (an <see cref="MLContext"/>) whose log receives the training progress.</param>
    /// <param name="options">The trainer's options.</param>
    /// <param name="task">Regression or classification.</param>
    protected TorchNetworkTrainer(IHostEnvironment env, TOptions options, NetworkTask task)
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
        mlContext = env as MLContext ?? new MLContext();
    }

    /// <summary>The options this trainer was created with.</summary>
    public TOptions Options { get; }

    /// <summary>Regression or classification.</summary>
    public NetworkTask Task { get; }

    /// <summary>The spec of the network to train, given the data's feature width and class count.</summary>
    protected abstract NetworkSpec CreateSpec(int featureCount, int outputCount);

    /// <summary>Trains a network on <paramref name="input"/>.</summary>
    public TorchNetworkTransformer Fit(IDataView input) => Fit(input, onEpoch: null);

    /// <summary>Trains a network on <paramref name="input"/>, reporting each epoch's mean loss.</summary>
    public TorchNetworkTransformer Fit(IDataView input, Action<int, double>? onEpoch)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var cpuData = SupervisedTensors.FromDataView(input, Options.FeatureColumnName, Options.LabelColumnName, Task);
        int outputs = Task == NetworkTask.Regression ? 1 : CountClasses(input, cpuData);
        return Fit(cpuData, outputs, onEpoch);
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
        var spec = CreateSpec(data.FeatureCount, outputCount);
        var network = TorchRuntime.Seeded(Options.Seed, spec.Build);
        network.to(device);
        var loss = Options.Loss ?? Losses.DefaultFor(Task);
        var onDevice = data.To(device);
        SupervisedTensors? standardized = null;
        try
        {
            var (mean, deviation) = Task == NetworkTask.Regression && StandardizesLabel ? LabelScale(onDevice.Labels) : (0.0, 1.0);
            if (Task == NetworkTask.Regression && StandardizesLabel)
                standardized = new SupervisedTensors(onDevice.Features.alias(), onDevice.Labels.sub(mean).div(deviation));
            using var optimizer = OptimizerFactory.Create(network.parameters(), Options.Optimizer, network);
            using var channel = host.Start("Training");
            var summary = TrainingLoop.Train(network, standardized ?? onDevice, loss, optimizer, Options, onEpoch, channel);
            if (standardized is not null) FoldLabelScale(network, mean, deviation);
            return new TorchNetworkTransformer(mlContext, spec, network, Task, loss, Options.FeatureColumnName, Options.LabelColumnName, summary);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        finally
        {
            standardized?.Dispose();
            if (!ReferenceEquals(onDevice, data)) onDevice.Dispose();
        }
    }

    /// <summary>
    /// Whether this regression trainer trains on the label standardised with the training rows' mean and standard
    /// deviation and then folds the inverse into the network (<see cref="FoldLabelScale"/>), so the model predicts the
    /// label as given. Default false.
    /// </summary>
    protected virtual bool StandardizesLabel => false;

    /// <summary>
    /// Makes a network trained on (label − <paramref name="mean"/>) / <paramref name="deviation"/> predict the label
    /// itself, by rescaling its output layer. Called only when <see cref="StandardizesLabel"/> is true.
    /// </summary>
    protected virtual void FoldLabelScale(nn.Module<Tensor, Tensor> network, double mean, double deviation) =>
        throw new NotSupportedException($"{GetType().Name} cannot fold a label scale into its network.");

    private static (double Mean, double Deviation) LabelScale(Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var y = labels.to(float64);
        double mean = y.mean().item<double>();
        double deviation = labels.shape[0] > 1 ? y.std(unbiased: false).item<double>() : 0;
        // A constant label has nothing to scale; 1 keeps the shift alone.
        return (mean, deviation > 0 && double.IsFinite(deviation) ? deviation : 1.0);
    }

    private int CountClasses(IDataView input, SupervisedTensors data)
    {
        var labelType = input.Schema[Options.LabelColumnName].Type;
        if (labelType is KeyDataViewType key) return checked((int)key.Count);
        return (int)data.Labels.max().item<long>() + 1;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var found = inputSchema.Where(c => c.Name == Options.FeatureColumnName).ToList();
        if (found.Count == 0)
            throw new ArgumentException($"The input has no feature column '{Options.FeatureColumnName}'.", nameof(inputSchema));
        var features = found[0];
        if (features.ItemType != NumberDataViewType.Single || features.Kind == SchemaShape.Column.VectorKind.VariableVector)
            throw new ArgumentException($"Feature column '{Options.FeatureColumnName}' must be a known-size vector of Single; it is {features.Kind} of {features.ItemType}.", nameof(inputSchema));
        if (!inputSchema.Any(c => c.Name == Options.LabelColumnName))
            throw new ArgumentException($"The input has no label column '{Options.LabelColumnName}'.", nameof(inputSchema));
        // SchemaShape carries no vector sizes, so any width describes the output's kinds and types.
        return TorchNetworkTransformer
            .CreateMappingEstimator(mlContext, Options.FeatureColumnName, 1, Task, 2, (_, _) => { }, (_, _) => { })
            .GetOutputSchema(inputSchema);
    }
}
