using Microsoft.ML;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// One model offered to <see cref="SharpnessCatalog.SelectModel(IEnumerable{ModelCandidate}, IDataView, string, MeasureSettings?)"/>:
/// a trained transformer, a SharpnessML model file or a TorchScript file, under a name that
/// identifies it in the ranking. Files are loaded only when measured and released right after.
/// </summary>
public sealed class ModelCandidate
{
    private readonly Func<MLContext, IDataView, OpenedLandscape> open;

    private ModelCandidate(string name, Func<MLContext, IDataView, OpenedLandscape> open, ITransformer? model = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A candidate needs a non-empty name.", nameof(name));
        Name = name;
        this.open = open;
        Model = model;
    }

    /// <summary>The name the ranking shows.</summary>
    public string Name { get; }

    /// <summary>The trained model of a <see cref="FromTransformer"/> candidate; null for a file.</summary>
    public ITransformer? Model { get; }

    /// <summary>
    /// A trained model (a chain holding one SharpnessML network, as trainers return it); the data
    /// given to selection are its raw input rows. The model is measured in place and restored exactly.
    /// </summary>
    public static ModelCandidate FromTransformer(string name, ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModelCandidate(name, (ml, data) =>
        {
            var landscape = ml.Sharpness().CreateLandscape(model, data, out var network);
            return new OpenedLandscape(landscape, network.Loss, null);
        }, model);
    }

    /// <summary>
    /// A SharpnessML model file (<c>mlContext.Sharpness().Model.Save</c>); its ML.NET chain is applied
    /// to the data's raw rows. Named by its file name unless <paramref name="name"/> is given.
    /// </summary>
    public static ModelCandidate FromModelFile(string path, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ModelCandidate(name ?? Path.GetFileName(path), (ml, data) =>
        {
            if (File.Exists(path) && !SavedModelFiles.IsSharpnessModelFile(path))
                throw new InvalidDataException($"'{path}' is not a SharpnessML model file; a TorchScript file is a candidate through ModelCandidate.FromTorchScript(path, loss).");
            return SavedModelLandscape.FromModelFile(ml, path, null, (_, _) => data);
        });
    }

    /// <summary>
    /// A TorchScript module saved by PyTorch (<c>torch.jit.save</c>), mapping [n, d] float features to
    /// [n, outputs]. It reads the float-vector column <paramref name="featureColumnName"/> and the label
    /// column <paramref name="labelColumnName"/> of the data (Single for MSE; whole numbers 0..k−1 or
    /// keys for cross-entropy) and is measured with <paramref name="loss"/>.
    /// </summary>
    public static ModelCandidate FromTorchScript(string path, LossFunction loss, string? name = null,
        string featureColumnName = "Features", string labelColumnName = "Label")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ModelCandidate(name ?? Path.GetFileName(path), (_, data) =>
            SavedModelLandscape.FromTorchScript(path, loss,
                task => SupervisedTensors.FromDataView(data, featureColumnName, labelColumnName, task), "The data"));
    }

    /// <summary>
    /// A PyTorch checkpoint — <c>torch.save(model.state_dict())</c> or a <c>.safetensors</c> file — loaded into
    /// <paramref name="architecture"/> (e.g. <c>CheckpointArchitecture.Parse("lenet5")</c>; see
    /// <see cref="Trainers.Checkpoints.PyTorchCheckpoint"/> for how tensors are matched), reading the data's columns as
    /// <see cref="FromTorchScript"/> does; measured with <paramref name="loss"/> or the architecture's default.
    /// </summary>
    public static ModelCandidate FromCheckpoint(string path, Trainers.Checkpoints.CheckpointArchitecture architecture, LossFunction? loss = null,
        string? name = null, string featureColumnName = "Features", string labelColumnName = "Label")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(architecture);
        return new ModelCandidate(name ?? Path.GetFileName(path), (_, data) =>
            SavedModelLandscape.FromCheckpoint(path, architecture, loss,
                task => SupervisedTensors.FromDataView(data, featureColumnName, labelColumnName, task), "The data"));
    }

    /// <summary>Opens the candidate on <paramref name="data"/> in the caller's dispose scope.</summary>
    internal OpenedLandscape Open(MLContext ml, IDataView data) => open(ml, data);

    /// <inheritdoc />
    public override string ToString() => Name;
}
