using static SharpnessML.Cli.Tests.Hostile.HostileCli;

namespace SharpnessML.Cli.Tests.Hostile;

/// <summary>
/// Issue 16, defect 1: the report folder is replaced only when it is ours (empty, new, or holding the marker file), is
/// checked before any training, and a study's name is never a path; models go to &lt;out&gt;/models.
/// </summary>
[Collection("Console")]
public sealed class ReportFolderTests : IDisposable
{
    private static readonly string[] Tiny = { "--models", "3", "--epochs", "1", "--sharpness-batches", "1", "--sharpness-steps", "1", "--workers", "1" };
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-hostile-out-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Victim()
    {
        var victim = Directory.CreateDirectory(Path.Combine(folder, "victim")).FullName;
        File.WriteAllText(Path.Combine(victim, "thesis.tex"), "years of work");
        Directory.CreateDirectory(Path.Combine(victim, "figures"));
        File.WriteAllText(Path.Combine(victim, "figures", "plot.png"), "png");
        return victim;
    }

    [Fact]
    public void AnExistingFolderThatIsNotAReportIsRefusedBeforeTrainingAndLeftAsItWas()
    {
        var victim = Victim();
        var before = Snapshot(folder);
        var (code, _, error) = CliRunner.Run(new[] { "reproduce", "abalone", "--out", victim }.Concat(Tiny).ToArray());
        AssertOneLineError(code, error, $"--out '{victim}'", "not a SharpnessML report");
        Assert.Equal(before, Snapshot(folder)); // nothing deleted, no store victim.db, no temporary folder
    }

    [Fact]
    public void OutDotInAFolderWithFilesIsRefused()
    {
        var victim = Victim();
        var before = Snapshot(folder);
        var (code, _, error) = RunChild(victim, new[] { "reproduce", "abalone", "--out", "." }.Concat(Tiny).ToArray());
        AssertOneLineError(code, error, "--out '.'", "not a SharpnessML report");
        Assert.Equal(before, Snapshot(folder));
    }

    [Theory]
    [InlineData("../../victim")]
    [InlineData("{victim}")]
    [InlineData("..")]
    [InlineData("a/b")]
    public void AStudyNameThatIsAPathIsRefused(string name)
    {
        var victim = Victim();
        var work = Directory.CreateDirectory(Path.Combine(folder, "work", "deeper")).FullName;
        var study = Path.Combine(folder, "study.json");
        File.WriteAllText(study, $$"""{ "name": "{{name.Replace("{victim}", victim)}}", "dataset": "abalone", "models": 3, "maxEpochs": 1, "grid": { "replicate": [0, 1, 2] } }""");
        var before = Snapshot(folder);
        var (code, _, error) = RunChild(work, "study", "run", study, "--workers", "1");
        AssertOneLineError(code, error, $"Study file {study}", "is not a name");
        Assert.Equal(before, Snapshot(folder));
    }

    [Fact]
    public void AnOutThatIsAFileIsRefusedBeforeTraining()
    {
        var file = Path.Combine(folder, "report.txt");
        File.WriteAllText(file, "mine");
        var before = Snapshot(folder);
        var (code, _, error) = CliRunner.Run(new[] { "reproduce", "abalone", "--out", file }.Concat(Tiny).ToArray());
        AssertOneLineError(code, error, $"--out '{file}' is a file");
        Assert.Equal(before, Snapshot(folder)); // no report.txt.db: refused before the store was opened
    }

    [Fact]
    public void AStoreInsideTheReportFolderIsRefused()
    {
        var report = Path.Combine(folder, "report");
        var (code, _, error) = CliRunner.Run(new[] { "reproduce", "abalone", "--out", report, "--store", Path.Combine(report, "s.db") }.Concat(Tiny).ToArray());
        AssertOneLineError(code, error, "is inside the report folder");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void ATrailingSlashIsNormalisedModelsGoInTheReportAndAReportIsReplacedKeepingItsModels()
    {
        var report = Path.Combine(folder, "pool");
        var (code, _, error) = CliRunner.Run(new[] { "reproduce", "abalone", "--out", report + "/./", "--save-models" }.Concat(Tiny).ToArray());
        Assert.True(code == 0, error);
        var models = new[] { "pool/models/model-000.zip", "pool/models/model-001.zip", "pool/models/model-002.zip" };
        var entries = Snapshot(folder).Select(e => e.Split(' ')[0]).ToList();
        Assert.Equal(new[] { "pool.db", "pool/", "pool/.sharpnessml-report" }.Concat(models)
            .Concat(new[] { "pool/correlations.csv", "pool/models/", "pool/result.json", "pool/results.csv", "pool/scatter-adaptive-worst-linf.png", "pool/summary.md" })
            .Order(StringComparer.Ordinal), entries.Where(e => !e.StartsWith("pool/density", StringComparison.Ordinal)));
        Assert.Contains("study: abalone", File.ReadAllText(Path.Combine(report, ".sharpnessml-report")));

        // Again: every member comes from the store (none is trained, so no model is saved), the report is ours and is
        // replaced, and the models of the report it replaces are kept.
        (code, _, error) = CliRunner.Run(new[] { "reproduce", "abalone", "--out", report, "--save-models" }.Concat(Tiny).ToArray());
        Assert.True(code == 0, error);
        Assert.Equal(entries, Snapshot(folder).Select(e => e.Split(' ')[0]).ToList());

        // The README's example: select over <out>/models.
        var csv = Path.Combine(folder, "abalone.csv");
        File.WriteAllLines(csv, new[] { "Sex,Length,Diameter,Height,WholeWeight,ShuckedWeight,VisceraWeight,ShellWeight,Rings" }
            .Concat(File.ReadLines(RepositoryPaths.Data("abalone", "abalone.data")).Take(200)));
        var (selectCode, output, selectError) = CliRunner.Run("select", "--models-dir", Path.Combine(report, "models"), "--data", csv,
            "--label", "Rings", "--measure", "weight-l2-norm", "--format", "csv");
        Assert.True(selectCode == 0, selectError);
        Assert.Equal(4, output.Trim().Split('\n').Length);
    }
}
