using Microsoft.ML;
using SharpnessML.Trainers.Training;
using SharpnessML.Datasets;
using SharpnessML.Trainers.Checkpoints;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Cli.Scoring;

/// <summary>
/// The data <see cref="SavedModelScorer"/> measures saved models on, read and checked once before
/// any model is loaded: a CSV file with a header row and a label column (<see cref="Csv"/>), or an
/// IDX pair of images and labels (<see cref="Idx"/>).
/// </summary>
internal sealed class ScoringData
{
    private readonly Func<MLContext, string, LossFunction?, CheckpointArchitecture?, OpenedLandscape> open;

    private ScoringData(string description, Func<MLContext, string, LossFunction?, CheckpointArchitecture?, OpenedLandscape> open)
    {
        Description = description;
        this.open = open;
    }

    /// <summary>The file(s), for messages.</summary>
    public string Description { get; }

    /// <summary>
    /// A CSV file with a header row. A model file's ML.NET chain reads the columns its input schema
    /// names; a TorchScript model's features are all columns but <paramref name="labelColumn"/>, in file order.
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">The label column's name.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed (the message names the line).</exception>
    /// <exception cref="ArgumentException">There is no column <paramref name="labelColumn"/>.</exception>
    public static ScoringData Csv(string path, string labelColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        var table = CsvTable.Read(path);
        table.IndexOf(labelColumn);
        return new ScoringData($"'{path}'", (ml, model, loss, architecture) => DataLandscapes.FromCsv(ml, model, table, labelColumn, loss, architecture));
    }

    /// <summary>
    /// An IDX pair (<see cref="IdxPair"/>): images [n, …] flattened into feature vectors and labels [n].
    /// A model file must read one feature vector of the images' width and one label (a key for
    /// classifiers, class c being key c + 1, or a Single); a TorchScript model gets the flattened images.
    /// </summary>
    /// <param name="imagesPath">The images file, plain or gzip-compressed.</param>
    /// <param name="labelsPath">The labels file, plain or gzip-compressed.</param>
    /// <param name="scaling">
    /// How unsigned-byte pixels become features; the default, FashionMNIST's standardisation, is what
    /// our FashionMNIST loader gives the trainers (model files store no pixel scaling of their own).
    /// </param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the two disagree (the message names the file).</exception>
    public static ScoringData Idx(string imagesPath, string labelsPath, IdxPixelScaling scaling = IdxPixelScaling.FashionMnist)
    {
        var pair = IdxPair.Read(imagesPath, labelsPath, scaling);
        return new ScoringData($"'{imagesPath}' and '{labelsPath}'", (ml, model, loss, architecture) => DataLandscapes.FromIdx(ml, model, pair, loss, architecture));
    }

    /// <summary>Opens <paramref name="modelPath"/> (either kind, or a PyTorch checkpoint when <paramref name="architecture"/> is given) on this data.</summary>
    internal OpenedLandscape Open(MLContext ml, string modelPath, LossFunction? loss, CheckpointArchitecture? architecture = null) =>
        open(ml, modelPath, loss, architecture);
}
