using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Checkpoints;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.TorchScript;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// Opens a saved model — a SharpnessML model file or a TorchScript file — as a loss landscape on
/// some data. the CLI's <c>score</c> and <c>select</c> and
/// <see cref="ModelCandidate"/> share it. Tensors are created in the caller's dispose scope.
/// </summary>
internal static class SavedModelLandscape
{
    /// <summary>
    /// Loads the model file at <paramref name="path"/> and builds its landscape on the raw rows
    /// <paramref name="data"/> returns for the model's input schema (the model's ML.NET chain is
    /// applied first). <paramref name="loss"/>, when given, must be the loss the model was trained with.
    /// </summary>
    public static OpenedLandscape FromModelFile(MLContext ml, string path, LossFunction? loss,
        Func<DataViewSchema, TorchNetworkTransformer, IDataView> data)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        var model = ml.Sharpness().Model.Load(path, out var schema);
        var network = model.GetNetwork();
        try
        {
            if (loss is { } requested && requested != network.Loss)
                throw new ArgumentException($"Model file '{path}' was trained with {network.Loss}; --loss {requested} does not match.");
            var landscape = ml.Sharpness().CreateLandscape(model, data(schema, network), out _);
            return new OpenedLandscape(landscape, network.Loss, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the TorchScript file at <paramref name="path"/> and builds its landscape on the tensors
    /// <paramref name="data"/> returns for the task <paramref name="loss"/> implies; refuses, naming the
    /// file, a module that does not accept the data's width or whose outputs do not fit the loss and labels.
    /// </summary>
    public static OpenedLandscape FromTorchScript(string path, LossFunction? loss, Func<NetworkTask, SupervisedTensors> data, string dataName)
    {
        var used = loss ?? throw new ArgumentException($"--loss (mse or cross-entropy) is required for the TorchScript model '{path}'.");
        var task = used == LossFunction.MeanSquaredError ? NetworkTask.Regression : NetworkTask.MulticlassClassification;
        // Not disposed here: disposing a TorchScriptNetwork throws ObjectDisposedException with TorchSharp
        // 0.107 (observed), so it is left to the caller's dispose scope and the GC, as score always did.
        var network = TorchScriptNetwork.Load(path);
        var tensors = data(task);
        int outputs = network.CheckInputWidth(tensors.FeatureCount);
        if (task == NetworkTask.Regression && outputs != 1)
            throw new ArgumentException($"TorchScript model '{path}' has {outputs} outputs; MSE needs 1.");
        if (task == NetworkTask.MulticlassClassification && tensors.Labels.max().item<long>() >= outputs)
            throw new ArgumentException($"{dataName} has class label {tensors.Labels.max().item<long>()}, but the TorchScript model '{path}' has only {outputs} outputs.");
        return new OpenedLandscape(LossLandscape.ForSupervised(network, tensors, used), used, null);
    }

    /// <summary>
    /// Loads the PyTorch checkpoint (a <c>state_dict</c> <c>.pt</c> or <c>.safetensors</c> file) at <paramref name="path"/> into
    /// <paramref name="architecture"/> (<see cref="PyTorchCheckpoint"/>) and builds its landscape on the tensors
    /// <paramref name="data"/> returns; the loss is <paramref name="loss"/> or the architecture's default. Refuses, naming
    /// the file, data whose width or labels do not fit the architecture.
    /// </summary>
    public static OpenedLandscape FromCheckpoint(string path, CheckpointArchitecture architecture, LossFunction? loss,
        Func<NetworkTask, SupervisedTensors> data, string dataName)
    {
        var used = loss ?? architecture.DefaultLoss;
        if (used == LossFunction.MeanSquaredError && architecture.OutputSize != 1)
            throw new ArgumentException($"--architecture {architecture.Name} has {architecture.OutputSize} outputs; MSE needs 1 (use --loss cross-entropy).");
        var task = used == LossFunction.MeanSquaredError ? NetworkTask.Regression : NetworkTask.MulticlassClassification;
        var tensors = data(task);
        if (tensors.FeatureCount != architecture.InputSize)
            throw new ArgumentException($"{dataName} has {tensors.FeatureCount} features per example, but --architecture {architecture.Name} takes {architecture.InputSize}.");
        if (task == NetworkTask.MulticlassClassification && tensors.Labels.max().item<long>() >= architecture.OutputSize)
            throw new ArgumentException($"{dataName} has class label {tensors.Labels.max().item<long>()}, but --architecture {architecture.Name} has only {architecture.OutputSize} outputs.");
        var (network, _) = PyTorchCheckpoint.Load(path, architecture);
        return new OpenedLandscape(LossLandscape.ForSupervised(network, tensors, used), used, network);
    }
}
