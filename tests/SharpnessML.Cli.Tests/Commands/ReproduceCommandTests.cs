using SharpnessML.Cli;
using SharpnessML.Cli.Reports;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Tests.Commands;

[Collection("Console")]
public sealed class ReproduceCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Error) Run(params string[] args)
    {
        var (code, _, error) = CliRunner.Run(args);
        return (code, error);
    }

    [Fact]
    public void ASmallStudyWritesTheWholeReport()
    {
        var definition = new StudyDefinition
        {
            Name = "small", Dataset = StudyDataset.Abalone, MaxEpochs = 1,
            Grid = new() { new StudyAxis("batchSize", new[] { "64", "128" }), new StudyAxis("learningRate", new[] { "0.01", "0.05" }) },
            Measures = new()
            {
                new StudyMeasureSpec { Name = "adaptive-worst-linf", Batches = 2, Steps = 5 },
                new StudyMeasureSpec { Name = "weight-l2-norm" },
                new StudyMeasureSpec { Name = "hessian-density", Examples = 256 },
            },
        };
        var members = new StudyRunner(definition).Run();
        var result = StudyResult.Create(definition, members, 1.0, 1, members.Count);
        Assert.Equal(4, result.Members.Count);
        Assert.Equal(new[] { "0.01", "0.05", "0.01", "0.05" }, result.Members.Select(m => m.Hyperparameters["learningRate"]));
        Assert.Equal(new[] { "64", "64", "128", "128" }, result.Members.Select(m => m.Hyperparameters["batchSize"]));
        Assert.All(result.Members, m => Assert.True(m.Measurements[0].Value > 0 && m.TestLoss > 0 && m.TrainLoss > 0 && double.IsNaN(m.TestError)));
        Assert.Equal(3 * 2, result.Correlations.Count); // three measures × (test loss, generalization gap): regression has no test error
        Assert.InRange(result.Headline.Kendall.Coefficient, -1, 1);
        Assert.NotNull(result.Headline.Granulated);

        var report = Path.Combine(folder, "report");
        AtomicDirectory.Write(report, definition.Name, f => StudyReport.Write(f, result));
        foreach (var file in new[] { "results.csv", "result.json", "summary.md", "correlations.csv", "scatter-adaptive-worst-linf.png", "scatter-weight-l2-norm.png", "scatter-hessian-density.png", "density.png" })
            Assert.True(new FileInfo(Path.Combine(report, file)).Length > 0, file);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(report, "results.csv")).Length);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(report, "correlations.csv")).Length);
        Assert.Contains("Granulated Kendall", File.ReadAllText(Path.Combine(report, "summary.md")));
        Assert.Single(Directory.EnumerateFileSystemEntries(folder));
    }

    [Theory]
    [InlineData("--rho", "0", "rho must be positive")]
    [InlineData("--rho", "-1", "rho must be positive")]
    [InlineData("--models", "2", "at least 3 models")]
    [InlineData("--measure", "no-such-measure", "Unknown measure 'no-such-measure'")]
    [InlineData("--data", "/nonexistent/abalone.data", "/nonexistent/abalone.data")]
    public void BadInputGivesOneClearLineAndNoOutput(string option, string value, string expected)
    {
        var output = Path.Combine(folder, "out");
        var (code, error) = Run("reproduce", "abalone", "--out", output, option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void AMalformedDataFileIsRefusedWithItsLineNumber()
    {
        var data = Path.Combine(folder, "abalone.data");
        File.WriteAllLines(data, new[] { "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15", "F,0.53,abc,0.135,0.677,0.2565,0.1415,0.21,9" });
        var (code, error) = Run("reproduce", "abalone", "--out", Path.Combine(folder, "out"), "--data", data);
        Assert.Equal(2, code);
        Assert.Contains($"{data}:2", error);
        Assert.Contains("Diameter", error);
    }
}
