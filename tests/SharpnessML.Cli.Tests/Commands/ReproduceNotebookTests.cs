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

    [Fact]
    public void WorkersStoreEachModelAndARerunLoadsThem()
    {
        var data = SmallAbalone();
        string[] Run(params string[] extra)
        {
            var (code, output, error) = CliRunner.Run(new[] { "reproduce", "abalone", "--protocol", "notebook", "--data", data }.Concat(extra).ToArray());
            Assert.True(code == 0, error);
            return new[] { output + error };
        }

        var alone = Path.Combine(folder, "alone");
        Run("--models", "4", "--no-store", "--out", alone);
        Assert.False(File.Exists(alone + ".db"));
        var shared = Path.Combine(folder, "shared");
        var first = Run("--models", "3", "--workers", "2", "--out", shared)[0];
        Assert.Contains("2 worker processes", first);
        Assert.True(File.Exists(shared + ".db")); // the default store: <out>.db beside the report
        var firstRows = File.ReadAllLines(Path.Combine(shared, "members.csv"));

        // A larger pool on the same store trains only the new model (what a killed run does when rerun).
        var second = Run("--models", "4", "--workers", "2", "--out", shared)[0];
        Assert.Contains("3 of 4 model(s) loaded", second);
        var secondRows = File.ReadAllLines(Path.Combine(shared, "members.csv"));
        Assert.Equal(firstRows, secondRows[..4]); // loaded: the same numbers and the same recorded seconds
        static string[] Values(string line) => line.Split(',')[..^1]; // all but the seconds
        var aloneRows = File.ReadAllLines(Path.Combine(alone, "members.csv"));
        Assert.Equal(aloneRows.Select(Values), secondRows.Select(Values)); // workers and one process: the same models

        var fresh = Run("--models", "4", "--workers", "1", "--fresh", "--out", shared)[0];
        Assert.DoesNotContain("loaded", fresh);
        Assert.Equal(aloneRows.Select(Values), File.ReadAllLines(Path.Combine(shared, "members.csv")).Select(Values));
    }

    [Fact]
    public void AStoreBelongsToItsDataAndStoreOptionsAreChecked()
    {
        var data = SmallAbalone();
        var store = Path.Combine(folder, "runs.db");
        var (code, _, error) = CliRunner.Run("reproduce", "abalone", "--protocol", "notebook", "--models", "3", "--data", data, "--store", store, "--workers", "1", "--out", Path.Combine(folder, "a"));
        Assert.True(code == 0, error);
        var other = Path.Combine(folder, "other.data");
        File.WriteAllLines(other, File.ReadLines(data).Take(150));
        (code, _, error) = CliRunner.Run("reproduce", "abalone", "--protocol", "notebook", "--models", "3", "--data", other, "--store", store, "--out", Path.Combine(folder, "b"));
        Assert.Equal(2, code);
        Assert.Contains("different configuration", error);
        Assert.False(Directory.Exists(Path.Combine(folder, "b")));

        (code, _, error) = CliRunner.Run("reproduce", "abalone", "--protocol", "notebook", "--data", data, "--no-store", "--workers", "2", "--out", Path.Combine(folder, "c"));
        Assert.Equal(2, code);
        Assert.Contains("--no-store cannot be combined with --workers > 1", error);
        (code, _, error) = CliRunner.Run("reproduce", "abalone", "--protocol", "notebook", "--data", data, "--store", Path.Combine(folder, "d", "s.db"), "--out", Path.Combine(folder, "d"));
        Assert.Equal(2, code);
        Assert.Contains("is inside the report folder", error);
        Assert.False(Directory.Exists(Path.Combine(folder, "c")));
        Assert.False(File.Exists(Path.Combine(folder, "d", "s.db")));
    }

    private string SmallAbalone()
    {
        var data = Path.Combine(folder, "abalone.data"); // 160 training and 40 test rows after the header row
        if (!File.Exists(data)) File.WriteAllLines(data, File.ReadLines(RepositoryPaths.Data("abalone", "abalone.data")).Take(201));
        return data;
    }

    [Theory]
    [InlineData("--rho", "0.1", "--rho applies to --protocol library only")]
    [InlineData("--measure", "hessian-trace", "--measure applies to --protocol library only")]
    [InlineData("--save-models", "true", "--save-models applies to --protocol library only")]
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
