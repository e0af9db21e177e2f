using static SharpnessML.Cli.Tests.Hostile.HostileCli;

namespace SharpnessML.Cli.Tests.Hostile;

/// <summary>
/// Issue 16, defect 7 and the one exception boundary: every bad input is one line naming it, exit code 2, before any
/// work and with nothing left behind; internal errors are one line pointing to a log.
/// </summary>
[Collection("Console")]
public sealed class BadInputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-hostile-input-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("nonsense", "score", "--model", "{model}", "--data", "{data}", "--label", "target", "--format", "nonsense")]
    [InlineData("'2147483648' for option '--seed'", "reproduce", "abalone", "--seed", "2147483648")]
    [InlineData("Unrecognized command or argument '--frobnicate'", "score", "--frobnicate")]
    public void AParseErrorIsOneLineAndExitCode2NotTheHelp(string expected, params string[] args)
    {
        var (code, output, error) = CliRunner.Run(args.Select(a => a.Replace("{model}", Model).Replace("{data}", Data)).ToArray());
        AssertOneLineError(code, error, expected, "--help");
        Assert.DoesNotContain("Usage:", output + error);
    }

    [Theory]
    [InlineData("a study needs at least 3 models", "--models", "2", "--no-store")]
    [InlineData("seed 2147483647 + member index up to 49 overflows a 32-bit seed; use a seed of at most 2147483598", "--seed", "2147483647")]
    [InlineData("rho must be positive and at most 1000; got 1E+308", "--rho", "1e308")]
    public void AnOutOfRangeSettingIsOneLineWithoutTheActualValueLine(string expected, params string[] args)
    {
        var out_ = Path.Combine(folder, "out");
        var (code, _, error) = CliRunner.Run(new[] { "reproduce", "abalone", "--out", out_ }.Concat(args).ToArray());
        var line = AssertOneLineError(code, error, expected);
        Assert.DoesNotContain("Actual value", line);
        Assert.DoesNotContain("(Parameter", line);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void ScoreRefusesAHugeRho()
    {
        var (code, _, error) = CliRunner.Run("score", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse", "--rho", "1e308");
        AssertOneLineError(code, error, "Rho must be a positive number of at most 1000");
    }

    [Fact]
    public void StudyInitIntoAFolderIsRefusedAndLeavesNoTemporaryFile()
    {
        var target = Directory.CreateDirectory(Path.Combine(folder, "studies")).FullName;
        var before = Snapshot(folder);
        var (code, _, error) = CliRunner.Run("study", "init", "abalone", "--out", target);
        AssertOneLineError(code, error, $"--out '{target}' is a folder");
        Assert.Equal(before, Snapshot(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder, "*.tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ADensityPlotIntoAFolderIsRefusedBeforeMeasuringAndLeavesNoTemporaryFile()
    {
        var target = Directory.CreateDirectory(Path.Combine(folder, "plots")).FullName;
        var before = Snapshot(folder);
        var (code, output, error) = CliRunner.Run("score", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse", "--density-plot", target);
        AssertOneLineError(code, error, $"--density-plot '{target}' is a folder");
        Assert.Equal("", output); // nothing measured
        Assert.Equal(before, Snapshot(folder));
    }

    [Fact]
    public void AFolderGivenAsDataSaysItIsAFolder()
    {
        var (code, _, error) = CliRunner.Run("score", "--model", Model, "--data", folder, "--label", "target", "--loss", "mse");
        AssertOneLineError(code, error, $"'{folder}' is a folder, not a CSV file");
        (code, _, error) = CliRunner.Run("reproduce", "abalone", "--data", folder, "--out", Path.Combine(folder, "out"));
        AssertOneLineError(code, error, $"'{folder}' is a folder, not a file");
        (code, _, error) = CliRunner.Run("score", "--model", folder, "--data", Data, "--label", "target", "--loss", "mse");
        AssertOneLineError(code, error, $"Model file '{folder}' is a folder");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Theory]
    [InlineData(100_000, "holds '9999999999", "… (100,000 characters)', not a finite number")]
    [InlineData(10_000_000, "data.csv:3: a line longer than 1,000,000 characters, the most a CSV line may have")]
    public void AHugeFieldIsNotEchoedWhole(int length, string expected1, string expected2 = "")
    {
        var csv = Path.Combine(folder, "data.csv");
        File.WriteAllLines(csv, new[] { "a,b,c,d,target", "1,2,3,4,5", "1,2," + new string('9', length) + ",4,5" });
        var (code, _, error) = CliRunner.Run("score", "--model", Model, "--data", csv, "--label", "target", "--loss", "mse");
        var line = AssertOneLineError(code, error, expected1, expected2);
        Assert.True(line.Length < 300, line);
    }

    [Fact]
    public void AWorkerShardOutsideTheShardsIsRefusedBeforeTheStoreIsCreated()
    {
        var study = Path.Combine(folder, "study.json");
        File.WriteAllText(study, """{ "dataset": "abalone", "models": 3, "grid": { "replicate": [0, 1, 2] } }""");
        var store = Path.Combine(folder, "store.db");
        var (code, _, error) = CliRunner.Run("study", "worker", study, "--store", store, "--shard", "5", "--shards", "2");
        AssertOneLineError(code, error, "--shard 5 is not one of the 2 shards 0..1");
        Assert.False(File.Exists(store));
    }

    [Fact]
    public void AnInternalErrorIsOneLineAskingForAReportWithTheWholeExceptionInALog()
    {
        Exception thrown;
        try
        {
            throw new NullReferenceException("boom\nsecond line");
        }
        catch (NullReferenceException e)
        {
            thrown = e;
        }
        Assert.False(CliErrors.IsBadInput(thrown));
        Assert.False(CliErrors.IsBadInput(new ObjectDisposedException("network")));
        var line = CliErrors.Internal(thrown, new[] { "score", "--model", "a b.pt" });
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("sharpnessml: internal error: NullReferenceException: boom second line — this is a bug, please report it with the log ", line);
        var log = line[(line.LastIndexOf(" the log ", StringComparison.Ordinal) + " the log ".Length)..];
        try
        {
            var text = File.ReadAllText(log);
            Assert.Contains("arguments: score --model \"a b.pt\"", text);
            Assert.Contains(nameof(AnInternalErrorIsOneLineAskingForAReportWithTheWholeExceptionInALog), text); // the stack trace
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Theory]
    [InlineData(59, "00:00:59")]
    [InlineData(3 * 86400 + 3723, "3d 01:02:03")]
    [InlineData(1e8, "1157d 09:46:40")] // 10⁶ members at 100 s each
    public void TheEtaOfAHugeGridKeepsItsDays(double seconds, string expected) => Assert.Equal(expected, Progress.FormatEta(seconds));
}
