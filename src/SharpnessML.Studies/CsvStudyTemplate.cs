using System.Globalization;
using SharpnessML.Trainers.Networks;

namespace SharpnessML.Studies;

/// <summary>
/// A starting study over the user's CSV file (<c>sharpnessml study init csv</c>): an MLP 32-32 with the library's
/// defaults, 12 members (<c>replicate</c> {0, 1} × <c>optimizer</c> {sgd, adam} × <c>learningRate</c> {0.003, 0.01,
/// 0.03}), 30% of the rows held out (split seed 0), and three measures — adaptive worst-case L∞ sharpness (the seed
/// paper's), the top Hessian eigenvalue and the weights' L2 norm (a baseline).
/// </summary>
public static class CsvStudyTemplate
{
    /// <summary>
    /// The study for <paramref name="dataPath"/> with label <paramref name="labelColumn"/>, its data path written relative
    /// to <paramref name="studyFilePath"/>'s folder.
    /// </summary>
    /// <param name="dataPath">The CSV file (a header row).</param>
    /// <param name="labelColumn">The label column; must be in the header.</param>
    /// <param name="studyFilePath">Where the study file will be written.</param>
    /// <param name="task">
    /// Regression or classification; null infers it: a label with text, or with at most 20 distinct whole numbers, is a
    /// class; otherwise a number to regress.
    /// </param>
    public static StudyDefinition For(string dataPath, string labelColumn, string studyFilePath, NetworkTask? task = null)
    {
        if (!File.Exists(dataPath)) throw new FileNotFoundException($"Data file '{dataPath}' does not exist.", dataPath);
        var (header, labels) = ReadLabelColumn(dataPath, labelColumn);
        if (header.Length < 2) throw new InvalidDataException($"{dataPath}: the only column is the label '{labelColumn}'; there are no features.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(studyFilePath))!;
        var name = new string(Path.GetFileNameWithoutExtension(dataPath).Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
        return new StudyDefinition
        {
            Name = name.Length == 0 ? "study" : name,
            Dataset = StudyDataset.Csv,
            Data = new StudyData
            {
                Train = Path.GetRelativePath(folder, Path.GetFullPath(dataPath)), TestFraction = 0.3, Label = labelColumn,
                Task = task ?? InferTask(labels),
            },
            Model = new StudyModel { Family = StudyModel.Mlp, HiddenLayerSizes = new[] { 32, 32 } },
            Grid =
            {
                new StudyAxis(HyperparameterAxes.Replicate, new[] { "0", "1" }),
                new StudyAxis(HyperparameterAxes.Optimizer, new[] { "sgd", "adam" }),
                new StudyAxis(HyperparameterAxes.LearningRate, new[] { "0.003", "0.01", "0.03" }),
            },
            Measures =
            {
                new StudyMeasureSpec { Name = "hessian-top-eigenvalues" },
                new StudyMeasureSpec { Name = "weight-l2-norm" },
            },
        };
    }

    /// <summary>Classification when the labels hold text, or at most 20 distinct whole numbers; else regression.</summary>
    public static NetworkTask InferTask(IReadOnlyCollection<string> labels)
    {
        var numbers = labels.Select(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null).ToList();
        if (numbers.Any(n => n is null)) return NetworkTask.MulticlassClassification;
        bool whole = numbers.All(n => n!.Value == Math.Floor(n.Value));
        return whole && numbers.Distinct().Count() <= 20 ? NetworkTask.MulticlassClassification : NetworkTask.Regression;
    }

    private static (string[] Header, List<string> Labels) ReadLabelColumn(string path, string labelColumn)
    {
        var table = Datasets.CsvTable.Read(path);
        int index = table.IndexOf(labelColumn);
        return (table.Header.ToArray(), table.Rows.Select(r => r[index]).ToList());
    }
}
