using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using TorchSharp;

namespace SharpnessML.Trainers.TorchScript;

/// <summary>
/// Fine-tunes a TorchScript module saved by PyTorch as an ML.NET estimator: loads
/// <see cref="TorchScriptFineTuningOptions.ModelPath"/>, trains all of its parameters on the view
/// with the shared <see cref="TrainingLoop"/> (any optimizer of <see cref="OptimizerOptions"/>,
/// seeded batch order) and returns a <see cref="TorchNetworkTransformer"/> around the tuned module.
/// Save the result as TorchScript again with <see cref="SaveTorchScript"/> (PyTorch loads it with
/// <c>torch.jit.load</c>) or in the library's model file, which stores the TorchScript archive.
/// Create it with <c>mlContext.Regression.Trainers.FineTuneTorchScript(...)</c> or the multiclass catalog's.
/// </summary>
public sealed class TorchScriptFineTuningTrainer : IEstimator<TorchNetworkTransformer>
{
    private readonly MLContext mlContext;
    private readonly IHost host;

    /// <summary>
    /// Creates the trainer for <paramref name="task"/>; options are validated here. Training progress goes to
    /// <paramref name="env"/>'s log (an <see cref="MLContext"/>'s <see cref="MLContext.Log"/>).
    /// </summary>
    public TorchScriptFineTuningTrainer(IHostEnvironment env, TorchScriptFineTuningOptions options, NetworkTask task)
    {
        ArgumentNullException.ThrowIfNull(env);
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Task = task;
        options.Validate();
        host = env.Register(nameof(TorchScriptFineTuningTrainer), seed: 0); // draws nothing from the caller's random sequence
        mlContext = env as MLContext ?? new MLContext();
    }

    /// <summary>The options this trainer was created with.</summary>
    public TorchScriptFineTuningOptions Options { get; }

    /// <summary>Regression (label Single) or classification (label key or 0..k−1).</summary>
    public NetworkTask Task { get; }

    /// <summary>Fine-tunes the TorchScript module on <paramref name="input"/>.</summary>
    public TorchNetworkTransformer Fit(IDataView input) => Fit(input, onEpoch: null);

    /// <summary>Fine-tunes the TorchScript module on <paramref name="input"/>, reporting each epoch's mean loss.</summary>
    public TorchNetworkTransformer Fit(IDataView input, Action<int, double>? onEpoch)
    {
        ArgumentNullException.ThrowIfNull(input);
        Options.Validate();
        var device = TorchRuntime.ParseDevice(Options.Device, nameof(Options.Device));
        var loss = Options.Loss ?? Losses.DefaultFor(Task);
        using var cpuData = SupervisedTensors.FromDataView(input, Options.FeatureColumnName, Options.LabelColumnName, Task);
        var network = TorchScriptNetwork.Load(Options.ModelPath);
        var data = cpuData;
        try
        {
            int outputs = network.CheckInputWidth(cpuData.FeatureCount);
            if (Task == NetworkTask.Regression && outputs != 1)
                throw new ArgumentException($"TorchScript model '{Options.ModelPath}' has {outputs} outputs; regression needs 1.");
            if (Task == NetworkTask.MulticlassClassification)
            {
                long largest = cpuData.Labels.max().item<long>();
                if (largest >= outputs)
                    throw new ArgumentException($"Label column '{Options.LabelColumnName}' holds class {largest}, but TorchScript model '{Options.ModelPath}' has only {outputs} outputs.");
            }
            network.to(device);
            data = cpuData.To(device);
            using var optimizer = OptimizerFactory.Create(network.parameters(), Options.Optimizer, network);
            using var channel = host.Start("Training");
            var summary = TrainingLoop.Train(network, data, loss, optimizer, Options, onEpoch, channel);
            return new TorchNetworkTransformer(mlContext, new TorchScriptSpec(cpuData.FeatureCount, outputs), network, Task, loss,
                Options.FeatureColumnName, Options.LabelColumnName, summary);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        finally
        {
            if (!ReferenceEquals(data, cpuData)) data.Dispose();
        }
    }

    /// <summary>
    /// Saves the TorchScript module of <paramref name="model"/> (a transformer from this trainer, or a
    /// chain holding one) with its current weights as a TorchScript file (<c>torch.jit.save</c>).
    /// </summary>
    public static void SaveTorchScript(ITransformer model, string path)
    {
        var network = model.GetNetwork().Network as TorchScriptNetwork
            ?? throw new ArgumentException("The model's network is not a TorchScript module; only fine-tuned TorchScript models save as TorchScript.", nameof(model));
        network.Save(path);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var features = inputSchema.FirstOrDefault(c => c.Name == Options.FeatureColumnName);
        if (features.Name is null)
            throw new ArgumentException($"The input has no feature column '{Options.FeatureColumnName}'.", nameof(inputSchema));
        if (!inputSchema.Any(c => c.Name == Options.LabelColumnName))
            throw new ArgumentException($"The input has no label column '{Options.LabelColumnName}'.", nameof(inputSchema));
        return TorchNetworkTransformer
            .CreateMappingEstimator(mlContext, Options.FeatureColumnName, 1, Task, 2, (_, _) => { }, (_, _) => { })
            .GetOutputSchema(inputSchema);
    }
}
