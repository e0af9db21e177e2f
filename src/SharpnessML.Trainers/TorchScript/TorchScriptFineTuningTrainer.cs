using Microsoft.ML;
using Microsoft.ML.Runtime;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

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
public sealed class TorchScriptFineTuningTrainer : TorchNetworkTrainer<TorchScriptFineTuningOptions>
{
    /// <summary>
    /// Creates the trainer for <paramref name="task"/>; options are validated here. Training progress goes to
    /// <paramref name="env"/>'s log (an <see cref="MLContext"/>'s <see cref="MLContext.Log"/>).
    /// </summary>
    internal TorchScriptFineTuningTrainer(IHostEnvironment env, TorchScriptFineTuningOptions options, NetworkTask task) : base(env, options, task) { }

    /// <summary>The TorchScript module, checked against the data: its input width, and its outputs against the task and the labels.</summary>
    private protected override (NetworkSpec Spec, nn.Module<Tensor, Tensor> Network) CreateNetwork(SupervisedTensors data, int outputCount)
    {
        var network = TorchScriptNetwork.Load(Options.ModelPath);
        try
        {
            int outputs = network.CheckInputWidth(data.FeatureCount);
            if (Task == NetworkTask.Regression && outputs != 1)
                throw new ArgumentException($"TorchScript model '{Options.ModelPath}' has {outputs} outputs; regression needs 1.");
            if (Task == NetworkTask.MulticlassClassification)
            {
                long largest = data.Labels.max().item<long>();
                if (largest >= outputs)
                    throw new ArgumentException($"Label column '{Options.LabelColumnName}' holds class {largest}, but TorchScript model '{Options.ModelPath}' has only {outputs} outputs.");
            }
            return (new TorchScriptSpec(data.FeatureCount, outputs), network);
        }
        catch
        {
            network.Dispose();
            throw;
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
}
