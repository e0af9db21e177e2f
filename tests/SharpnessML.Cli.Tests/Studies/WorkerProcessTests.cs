using SharpnessML.Cli;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Tests.Studies;

/// <summary><c>--workers 2</c> shards a study over a child process through the store and gives the same members.</summary>
[Collection("Console")]
public sealed class WorkerProcessTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-workers-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TwoWorkerProcessesGiveTheSameMembersAsOneProcess()
    {
        var store = Path.Combine(folder, "study.db");
        var (code, _, _) = CliRunner.Run(["reproduce", "abalone", "--models", "6", "--epochs", "1", "--sharpness-batches", "2", "--sharpness-steps", "3",
            "--out", Path.Combine(folder, "report"), "--store", store, "--workers", "2"]);
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(folder, "report", "summary.md")));
        Assert.Contains("2 worker process(es)", File.ReadAllText(Path.Combine(folder, "report", "summary.md")));

        var expected = new StudyRunner(TestStudies.SmallAbalone()).Run();
        using var opened = new SqliteStudyStore(store);
        StudyMemberComparison.Equal(expected, new StudyRunner(TestStudies.SmallAbalone()).Open(opened));
    }
}
