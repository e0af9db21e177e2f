using SharpnessML.TestKit;

namespace SharpnessML.Cli.Tests.Commands;

/// <summary><c>reproduce --protocol notebook</c>: its report, the first models of a pool, and its bad input.</summary>
[Collection("Console")]
public sealed class ReproduceNotebookTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-notebook-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void APoolOfThreeIsTheFirstThreeOfAPoolOfFourAndTheReportIsWhole()
    {
        var data = Path.Combine(folder, "abalone.data"); // 160 training and 40 test rows after the header row
        File.WriteAllLines(data, File.ReadLines(RepositoryPaths.Data("abalone", "abalone.data")).Take(201));
        var (code, _, error) = CliRunner.Run("reproduce", "abalone", "--protocol", "notebook", "--models", "4", "--pools", "2", "--data", data, "--out", Path.Combine(folder, "four"));
        Assert.True(code == 0, error);
        (code, _, error) = CliRunner.Run("reproduce", "abalone", "--protocol", "notebook", "--models", "3", "--data", data, "--out", Path.Combine(folder, "three"));
        Assert.True(code == 0, error);
        static string[] Values(string line) => line.Split(',')[..^1]; // all but the seconds
        var four = File.ReadAllLines(Path.Combine(folder, "four", "members.csv"));
        var three = File.ReadAllLines(Path.Combine(folder, "three", "members.csv"));
        Assert.Equal(1 + 2 * 4, four.Length);
        Assert.Equal(1 + 3, three.Length);
        for (int i = 0; i < 4; i++) Assert.Equal(Values(four[i]), Values(three[i]));
        Assert.StartsWith("notebook,1,0,1000,", four[5]);
        var summary = File.ReadAllText(Path.Combine(folder, "four", "summary.md"));
        Assert.Contains("mean τ ± sd over pools", summary);
        Assert.Contains("-0.311", summary);
        Assert.True(new FileInfo(Path.Combine(folder, "four", "scatter.png")).Length > 0);
    }

    [Theory]
    [InlineData("--rho", "0.1", "--rho applies to --protocol library only")]
    [InlineData("--measure", "hessian-trace", "--measure applies to --protocol library only")]
    [InlineData("--workers", "2", "--workers applies to --protocol library only")]
    [InlineData("--pools", "0", "--pools must be at least 1")]
    [InlineData("--models", "2", "--models must be at least 3")]
    [InlineData("--epochs", "3", "--epochs is not available for the abalone notebook protocol")]
    [InlineData("--train-examples", "100", "--train-examples applies to fashion-mnist only")]
    public void LibraryOptionsAndBadCountsAreRefused(string option, string value, string expected)
    {
        var output = Path.Combine(folder, "out");
        var (code, _, error) = CliRunner.Run("reproduce", "abalone", "--protocol", "notebook", "--out", output, option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void PoolsAndRowsBelongToTheNotebookProtocol()
    {
        var (code, _, error) = CliRunner.Run("reproduce", "abalone", "--pools", "3", "--out", Path.Combine(folder, "x"));
        Assert.Equal(2, code);
        Assert.Contains("--pools applies to --protocol notebook only", error);
        (code, _, error) = CliRunner.Run("reproduce", "cora", "--ablation", "--rows", "clamp-abs", "--out", Path.Combine(folder, "y"));
        Assert.Equal(2, code);
        Assert.Contains("unknown row 'clamp-abs' for cora", error);
        (code, _, error) = CliRunner.Run("reproduce", "cora", "--ablation", "--models", "60", "--out", Path.Combine(folder, "z"));
        Assert.Equal(2, code);
        Assert.Contains("the library-grid row has 50 grid points", error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }
}
