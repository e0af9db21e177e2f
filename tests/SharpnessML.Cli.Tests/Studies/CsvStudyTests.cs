using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SharpnessML.Studies;
using Xunit.Abstractions;

namespace SharpnessML.Cli.Tests.Studies;

/// <summary>
/// A study over a user's CSV file (the breast-cancer table in <c>docs/studies</c>, copied next to its study file in a
/// temporary folder): 12 members, three measures, run by <c>sharpnessml study run FILE --out DIR --store DB</c>, killed
/// with SIGKILL and resumed; and its bad input, one line and exit code 2 each.
/// </summary>
[Collection("Console")]
public sealed class CsvStudyTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-csv-study-").FullName;
    private readonly ITestOutputHelper output;

    public CsvStudyTests(ITestOutputHelper output)
    {
        this.output = output;
        File.Copy(Path.Combine(RepositoryPaths.Root, "docs", "studies", "breast-cancer.csv"), Path.Combine(folder, "cancer.csv"));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string StudyFile(string data = """{ "train": "cancer.csv", "testFraction": 0.3, "label": "diagnosis", "task": "classification" }""",
        string model = """{ "family": "mlp", "hiddenLayerSizes": [16, 16] }""")
    {
        var path = Path.Combine(folder, "study.json");
        File.WriteAllText(path, $$"""
            {
              "name": "cancer", "dataset": "csv", "data": {{data}}, "model": {{model}}, "maxEpochs": 6,
              "grid": { "replicate": [0, 1], "optimizer": ["sgd", "adam"], "learningRate": [0.003, 0.01, 0.03] },
              "measures": [ { "name": "adaptive-worst-linf", "batches": 4, "steps": 5 }, "hessian-top-eigenvalues", "weight-l2-norm" ]
            }
            """);
        return path;
    }

    private string StorePath => Path.Combine(folder, "cancer.db");

    private string ReportPath => Path.Combine(folder, "report");

    private long StoredCount()
    {
        if (!File.Exists(StorePath)) return 0;
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'study_members';";
        if ((long)command.ExecuteScalar()! == 0) return 0;
        command.CommandText = "SELECT count(*) FROM study_members;";
        return (long)command.ExecuteScalar()!;
    }

    private Process Start(string file) =>
        CliRunner.Start(folder, line => output.WriteLine($"  stderr: {line}"), "study", "run", file, "--out", ReportPath, "--store", StorePath);

    [Fact]
    public void A_csv_study_runs_from_its_file_resumes_after_SIGKILL_and_reports_every_measure()
    {
        var file = StudyFile();
        // Killed twice, each time just after it stored a new member (so the next one is in training).
        long previous = 0;
        for (int kill = 0; kill < 2; kill++)
        {
            using var process = Start(file);
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && StoredCount() <= previous && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
            Assert.False(process.HasExited, "the study finished before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            long stored = StoredCount();
            output.WriteLine($"killed after {clock.Elapsed.TotalSeconds:F1} s with {stored} members stored");
            Assert.True(stored > previous && stored < 12);
            previous = stored;
        }

        using (var final = Start(file))
        {
            Assert.True(final.WaitForExit(TimeSpan.FromSeconds(180)), "the final run did not finish");
            final.WaitForExit();
            Assert.Equal(0, final.ExitCode);
        }

        var rows = File.ReadAllLines(Path.Combine(ReportPath, "results.csv"));
        Assert.Equal(13, rows.Length);
        Assert.Contains("learningRate", rows[0]);
        Assert.Contains("csv cancer.csv, label diagnosis (classification), 30% held out (split seed 0); mlp 16-16", File.ReadAllText(Path.Combine(ReportPath, "summary.md")));
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportPath, "result.json")));
        var testLoss = result.RootElement.GetProperty("correlations").EnumerateArray()
            .Where(c => c.GetProperty("Target").GetString() == "TestLoss").Select(c => c.GetProperty("Measure").GetString()).ToList();
        Assert.Equal(new[] { "adaptive-worst-linf", "hessian-top-eigenvalues", "weight-l2-norm" }, testLoss.Order());

        // The resumed store holds what one uninterrupted run computes, bit for bit.
        var reference = new StudyRunner(StudyDefinition.Load(file)).Run();
        using var store = new SqliteStudyStore(StorePath);
        StudyMemberComparison.Equal(reference, new StudyRunner(StudyDefinition.Load(file)).Open(store));
    }

    public static TheoryData<string, string, string> BadStudies => new()
    {
        { """{ "train": "cancer.csv", "label": "nope", "task": "classification" }""", """{ "family": "mlp" }""", "cancer.csv: there is no column 'nope'. Columns: mean radius," },
        { """{ "train": "cancer.csv", "testFraction": 1.5, "label": "diagnosis", "task": "classification" }""", """{ "family": "mlp" }""", "study.json: data.testFraction must be in (0, 1), got 1.5." },
        { """{ "train": "cancer.csv", "label": "diagnosis", "task": "classification" }""", """{ "family": "resnet" }""", "study.json: model.family 'resnet' is unknown. Known families: mlp, lenet5, vit, torchscript." },
        { """{ "train": "missing.csv", "label": "diagnosis", "task": "classification" }""", """{ "family": "mlp" }""", "missing.csv' does not exist." },
        { """{ "train": "cancer.csv", "label": "diagnosis", "task": "clustering" }""", """{ "family": "mlp" }""", "study.json: data.task must be 'regression' or 'classification', got 'clustering'." },
        { """{ "train": "cancer.csv", "label": "diagnosis", "task": "classification", "seperator": ";" }""", """{ "family": "mlp" }""", "study.json: unknown key 'data.seperator'." },
    };

    [Theory]
    [MemberData(nameof(BadStudies))]
    public void Bad_csv_study_input_gives_one_line_and_exit_code_2_and_writes_nothing(string data, string model, string message)
    {
        var file = StudyFile(data, model);
        var before = Directory.GetFileSystemEntries(folder).Order().ToArray();
        var (code, _, error) = CliRunner.Run("study", "run", file, "--out", ReportPath, "--store", StorePath);
        Assert.Equal(2, code);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(message, line);
        Assert.Equal(before, Directory.GetFileSystemEntries(folder).Order().ToArray());
    }

    [Fact]
    public void A_non_numeric_feature_cell_names_the_file_row_and_column()
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "cancer.csv"));
        lines[42] = "n/a" + lines[42][lines[42].IndexOf(',')..];
        File.WriteAllLines(Path.Combine(folder, "cancer.csv"), lines);
        var file = StudyFile();
        var before = Directory.GetFileSystemEntries(folder).Order().ToArray();
        var (code, _, error) = CliRunner.Run("study", "run", file, "--out", ReportPath, "--store", StorePath);
        Assert.Equal(2, code);
        Assert.Equal($"sharpnessml: error: {Path.Combine(folder, "cancer.csv")}:43: column 'mean radius' holds 'n/a', not a finite number.", error.TrimEnd());
        Assert.Equal(before, Directory.GetFileSystemEntries(folder).Order().ToArray());
    }

    [Fact]
    public void Study_init_csv_writes_a_study_that_reads_back_with_the_inferred_task()
    {
        var target = Path.Combine(folder, "init.json");
        var (code, text, error) = CliRunner.Run("study", "init", "csv", "--data", Path.Combine(folder, "cancer.csv"), "--label", "diagnosis", "--out", target);
        Assert.True(code == 0, error);
        Assert.Contains("Wrote", text);
        var definition = StudyDefinition.Load(target);
        Assert.Equal(StudyDataset.Csv, definition.Dataset);
        Assert.Equal(Path.Combine(folder, "cancer.csv"), definition.Data!.Train);
        Assert.Equal(Trainers.Networks.NetworkTask.MulticlassClassification, definition.Data.Task);
        Assert.Equal(12, definition.MemberCount);
        Assert.Equal(3, definition.Measures.Count);
        Assert.Contains("\"train\": \"cancer.csv\"", File.ReadAllText(target)); // relative to the study file
    }
}
