using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Datasets;
using SharpnessML.Studies;
using SharpnessML.Trainers.Networks;
using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Cli.Tests.Commands;

/// <summary>
/// <c>sharpnessml correlate</c> over models trained elsewhere (here: saved by a small csv study), and the three-line
/// evaluation-stage program on the same models, which must give the same τ as the command's report.
/// </summary>
[Collection("Console")]
public sealed class CorrelateCommandTests : IDisposable
{
    private static readonly string[] Measures = { "adaptive-worst-linf", "weight-l2-norm" };
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-correlate-").FullName;

    public CorrelateCommandTests()
    {
        File.Copy(Path.Combine(RepositoryPaths.Root, "docs", "studies", "breast-cancer.csv"), DataPath);
        var definition = new StudyDefinition
        {
            Name = "pool", Dataset = StudyDataset.Csv, MaxEpochs = 3,
            Data = new StudyData { Train = DataPath, TestFraction = 0.3, Label = "diagnosis", Task = NetworkTask.MulticlassClassification },
            Model = new StudyModel { HiddenLayerSizes = new[] { 8 } },
            Grid = { new StudyAxis("optimizer", new[] { "sgd", "adam" }), new StudyAxis("learningRate", new[] { "0.003", "0.03" }) },
            Measures = { new StudyMeasureSpec { Name = "weight-l1-norm" } },
        };
        var models = Directory.CreateDirectory(Path.Combine(folder, "models")).FullName;
        var members = new StudyRunner(definition).Run(settings: new StudyRunSettings { ModelDirectory = models });
        File.WriteAllLines(ModelsPath, new[] { "ModelPath,TestLoss,optimizer,learningRate" }.Concat(members.Select(m =>
            FormattableString.Invariant($"{Path.Combine(models, $"model-{m.Index:D3}.zip")},{m.TestLoss:R},{m.Hyperparameters["optimizer"]},{m.Hyperparameters["learningRate"]}"))));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string DataPath => Path.Combine(folder, "cancer.csv");

    private string ModelsPath => Path.Combine(folder, "models.csv");

    private string ReportPath => Path.Combine(folder, "report");

    /// <summary>One row of models.csv, as a user's program declares it.</summary>
    private sealed class ModelRow
    {
        [LoadColumn(0)] public string ModelPath { get; set; } = "";

        [LoadColumn(1)] public float TestLoss { get; set; }

        [LoadColumn(2)] public string Optimizer { get; set; } = "";

        [LoadColumn(3)] public string LearningRate { get; set; } = "";
    }

    [Fact]
    public void The_evaluation_stage_program_gives_the_same_tau_as_the_correlate_report()
    {
        var args = new[] { "correlate", "--models", ModelsPath, "--data", DataPath, "--label", "diagnosis", "--out", ReportPath }
            .Concat(Measures.SelectMany(m => new[] { "--measure", m })).ToArray();
        var (code, _, error) = CliRunner.Run(args);
        Assert.True(code == 0, error);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(ReportPath, "results.csv")).Length);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportPath, "result.json")));
        var reported = report.RootElement.GetProperty("correlations").EnumerateArray()
            .Where(c => c.GetProperty("Target").GetString() == "TestLoss")
            .ToDictionary(c => c.GetProperty("Measure").GetString()!, c => c.GetProperty("Kendall").GetProperty("Coefficient").GetDouble());

        // The three-line program.
        var ml = new MLContext(seed: 0);
        var models = ml.Data.LoadFromTextFile<ModelRow>(ModelsPath, hasHeader: true, separatorChar: ',');
        var measured = ml.Sharpness().MeasureSharpness(CsvDataset.Load(ml, DataPath, "diagnosis", NetworkTask.MulticlassClassification), Measures)
            .Fit(models).Transform(models);
        var metrics = ml.Sharpness().EvaluateCorrelation(measured, "TestLoss", Measures, new[] { "Optimizer", "LearningRate" });

        Assert.Equal(Measures, metrics.Select(m => m.Measure));
        foreach (var m in metrics) Assert.Equal(reported[m.Measure], m.Kendall.Coefficient, 12);
        Assert.NotEqual(reported[Measures[0]], reported[Measures[1]]); // two different rankings: the comparison can fail
    }

    [Fact]
    public void A_model_path_that_does_not_exist_names_the_file_and_row()
    {
        var lines = File.ReadAllLines(ModelsPath);
        lines[2] = "gone.zip" + lines[2][lines[2].IndexOf(',')..];
        File.WriteAllLines(ModelsPath, lines);
        var (code, _, error) = CliRunner.Run("correlate", "--models", ModelsPath, "--data", DataPath, "--label", "diagnosis", "--out", ReportPath);
        Assert.Equal(2, code);
        Assert.Equal($"sharpnessml: error: {ModelsPath}:3: model file 'gone.zip' does not exist.", error.TrimEnd());
        Assert.False(Directory.Exists(ReportPath));
    }

    [Fact]
    public void A_models_file_without_the_generalization_column_names_it()
    {
        File.WriteAllLines(ModelsPath, File.ReadAllLines(ModelsPath).Select(l => l.Replace("TestLoss", "Loss", StringComparison.Ordinal)));
        var (code, _, error) = CliRunner.Run("correlate", "--models", ModelsPath, "--data", DataPath, "--label", "diagnosis", "--out", ReportPath);
        Assert.Equal(2, code);
        Assert.StartsWith($"sharpnessml: error: {ModelsPath}: there is no column 'TestLoss' (--generalization).", error.TrimEnd());
        Assert.False(Directory.Exists(ReportPath));
    }
}
