using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Checkpoints;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.TorchScript;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

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
            CheckFiniteParameters(network.Network, $"Model file '{path}'");
            return new OpenedLandscape(landscape, network.Loss, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>A PyTorch checkpoint opened for the data-free measures only (see <see cref="LossLandscape.WithoutData"/>).</summary>
    public static OpenedLandscape CheckpointWithoutData(string path, CheckpointArchitecture architecture, LossFunction? loss)
    {
        var (network, _) = PyTorchCheckpoint.Load(path, architecture);
        CheckFiniteParameters(network, $"Checkpoint '{path}'");
        return new OpenedLandscape(LossLandscape.WithoutData(network), loss ?? architecture.DefaultLoss, network);
    }

    /// <summary>
    /// Loads a model file or a TorchScript file as a landscape without data (<see cref="LossLandscape.WithoutData"/>),
    /// for the data-free measures (<see cref="IDataFreeMeasure"/>). The loss is the model file's, or <paramref name="loss"/>
    /// (MSE when neither is known: it is never evaluated).
    /// </summary>
    public static OpenedLandscape WithoutData(MLContext ml, string path, LossFunction? loss)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        if (SavedModelFiles.IsSharpnessModelFile(path))
        {
            var network = ml.Sharpness().Model.Load(path, out _).GetNetwork();
            return new OpenedLandscape(LossLandscape.WithoutData(network.Network), network.Loss, network);
        }
        // Not disposed, as in FromTorchScript.
        var module = TorchScriptNetwork.Load(path);
        return new OpenedLandscape(LossLandscape.WithoutData(module), loss ?? LossFunction.MeanSquaredError, null);
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
        CheckFiniteParameters(network, $"TorchScript model '{path}'");
        CheckOutputs(network, tensors, task, outputs, path);
        return new OpenedLandscape(LossLandscape.ForSupervised(network, tensors, used), used, null);
    }

    /// <summary>
    /// Refuses a model with a NaN or infinite parameter, naming the tensor: every measure would be NaN or, in the
    /// eigensolvers, fail (MathNet's decomposition of a NaN matrix), and the model's loss is not a landscape.
    /// </summary>
    internal static void CheckFiniteParameters(torch.nn.Module module, string what)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, parameter) in module.named_parameters())
        {
            using var _ = torch.no_grad();
            if (parameter.isfinite().all().item<bool>()) continue;
            long nan = parameter.isnan().sum().item<long>();
            long infinite = parameter.isinf().sum().item<long>();
            var shown = module is TorchScriptNetwork && name.StartsWith("script.", StringComparison.Ordinal) ? name["script.".Length..] : name;
            throw new InvalidDataException($"{what}: parameter '{shown}' (shape [{string.Join(", ", parameter.shape)}]) holds {nan} NaN and {infinite} infinite value(s); " +
                                           "a model with non-finite weights has no loss landscape to measure.");
        }
    }

    /// <summary>
    /// Runs the module on the first few examples (with gradients, as the measures will) and refuses, with the
    /// actual output's shape and dtype, what libtorch would abort the process on or broadcast silently: an output
    /// that is not float32 (an integer tensor has no gradient), one that does not depend on the parameters (no
    /// <c>grad_fn</c>: differentiating it aborts), or one whose shape is not one row per example (a [1, 1] output
    /// for every batch broadcasts against the labels into a wrong loss).
    /// </summary>
    private static void CheckOutputs(nn.Module<Tensor, Tensor> network, SupervisedTensors tensors, NetworkTask task, int outputs, string path)
    {
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        int n = Math.Min(tensors.Count, 3); // more than one example where there are, so an output that ignores the batch shows
        Tensor output;
        try
        {
            output = network.call(tensors.Features.narrow(0, 0, n));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"TorchScript model '{path}' fails on {n} examples: {e.Message.Split('\n', 2)[0].Trim()}", e);
        }
        var shape = $"[{string.Join(", ", output.shape)}]";
        var described = $"returns shape {shape} of {output.dtype} for a batch of {n} examples";
        bool rows = task == NetworkTask.Regression
            ? (output.dim() == 1 && output.shape[0] == n) || (output.dim() == 2 && output.shape[0] == n && output.shape[1] == 1)
            : output.dim() == 2 && output.shape[0] == n && output.shape[1] == outputs;
        var expected = task == NetworkTask.Regression ? $"[{n}, 1] or [{n}]" : $"[{n}, {outputs}]";
        if (output.dtype != ScalarType.Float32)
            throw new ArgumentException($"TorchScript model '{path}' {described}; expected float32 outputs of shape {expected} (the measures differentiate them).");
        if (!rows)
            throw new ArgumentException($"TorchScript model '{path}' {described}; expected {expected}, one row per example (it would be broadcast against the labels).");
        if (!output.requires_grad)
            throw new ArgumentException($"TorchScript model '{path}' {described} that does not depend on its parameters (no gradient reaches them); there is no loss landscape to measure.");
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
        CheckFiniteParameters(network, $"Checkpoint '{path}'");
        return new OpenedLandscape(LossLandscape.ForSupervised(network, tensors, used), used, network);
    }
}
