using System.CommandLine;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Datasets;
using SharpnessML.Cli.Scoring;

namespace SharpnessML.Cli.Commands;

/// <summary>
/// The data options <c>score</c> and <c>select</c> share: <c>--data FILE --label COLUMN</c> for a CSV
/// file, or <c>--data IMAGES --labels LABELS [--pixels SCALING]</c> for an IDX pair (the form is chosen
/// by the presence of <c>--labels</c>).
/// </summary>
internal sealed class DataOptions
{
    public Option<string> Data { get; } = new("--data") { Description = "CSV file with a header row, or an IDX images file (with --labels).", Required = true };

    public Option<string?> Label { get; } = new("--label") { Description = "Label column of a CSV file." };

    public Option<string?> Labels { get; } = new("--labels") { Description = "IDX labels file [n]; makes --data an IDX images file [n, …] (plain or .gz)." };

    public Option<string?> Pixels { get; } = new("--pixels")
    {
        Description = "How unsigned-byte IDX pixels b become features: fashion-mnist ((b/255 - 0.2860)/0.3530, as our FashionMNIST trainers saw them; default), unit (b/255) or raw (b).",
    };

    public DataOptions() => Pixels.AcceptOnlyFromAmong("fashion-mnist", "unit", "raw");

    public IEnumerable<Option> All => new Option[] { Data, Label, Labels, Pixels };

    /// <summary>Reads and checks the data the options name, or throws one clear message.</summary>
    public ScoringData Read(ParseResult parse)
    {
        var data = parse.GetValue(Data)!;
        var label = parse.GetValue(Label);
        var labels = parse.GetValue(Labels);
        var pixels = parse.GetValue(Pixels);
        if (labels != null)
        {
            if (label != null)
                throw new ArgumentException($"--label names a CSV column, but --labels '{labels}' makes --data an IDX images file; give one or the other.");
            if (File.Exists(data) && !IdxReader.LooksLikeIdx(data))
                throw new ArgumentException($"--data '{data}' is not an IDX file (it does not start with an IDX magic number); with --labels, --data is the IDX images file. " +
                                            "For a CSV file, drop --labels and name the label column with --label.");
            if (File.Exists(labels) && !IdxReader.LooksLikeIdx(labels))
                throw new ArgumentException($"--labels '{labels}' is not an IDX file (it does not start with an IDX magic number).");
            var scaling = pixels switch
            {
                "unit" => IdxPixelScaling.Unit,
                "raw" => IdxPixelScaling.Raw,
                _ => IdxPixelScaling.FashionMnist,
            };
            return ScoringData.Idx(data, labels, scaling);
        }
        if (IdxReader.LooksLikeIdx(data))
            throw new ArgumentException($"--data '{data}' is an IDX file; give its labels file with --labels FILE (a CSV file needs --label COLUMN instead).");
        if (pixels != null) throw new ArgumentException("--pixels applies to IDX images (with --labels) only.");
        if (label == null) throw new ArgumentException($"--label COLUMN is required for the CSV file '{data}' (or --labels FILE for an IDX pair).");
        return ScoringData.Csv(data, label);
    }

    /// <summary>The loss named by <c>--loss</c> (<c>mse</c>, <c>cross-entropy</c>), or null for the model's own.</summary>
    public static SharpnessML.Trainers.Training.LossFunction? ParseLoss(string? name) => name switch
    {
        "mse" => SharpnessML.Trainers.Training.LossFunction.MeanSquaredError,
        "cross-entropy" => SharpnessML.Trainers.Training.LossFunction.CrossEntropy,
        _ => null,
    };
}
