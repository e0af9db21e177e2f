using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SharpnessML.Studies;
using Xunit.Abstractions;

namespace SharpnessML.Cli.Tests.Studies;

/// <summary>
/// Runs <c>sharpnessml reproduce abalone --store</c> in a child process, kills it with SIGKILL at random moments and
/// restarts it, then checks the store holds each member exactly once with an uninterrupted run's values.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private const int Models = 6;
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-resume-").FullName;
    private readonly ITestOutputHelper output;

    public KillAndResumeTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string StorePath => Path.Combine(folder, "study.sqlite");

    private Process StartCli() =>
        CliRunner.Start(folder, line => output.WriteLine($"  stderr: {line}"),
            "reproduce", "abalone", "--models", $"{Models}", "--epochs", "1", "--sharpness-batches", "2",
            "--sharpness-steps", "3", "--out", Path.Combine(folder, "report"), "--store", StorePath, "--workers", "1");

    private long StoredCount()
    {
        if (!File.Exists(StorePath)) return 0;
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'study_members';";
        if ((long)command.ExecuteScalar()! == 0) return 0;
        command.CommandText = "SELECT count(*) FROM study_members;";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void AStudyKilledFiveTimesResumesToAnUninterruptedRunsMembers()
    {
        // Each run is killed at a random moment shortly after it has stored a new member (so the kill lands while the
        // next member trains or is being written), or after a random time when it stores nothing new.
        var random = new Random(20261123);
        long previous = 0;
        int interrupted = 0;
        for (int kill = 0; kill < 5; kill++)
        {
            using var process = StartCli();
            var clock = Stopwatch.StartNew();
            var giveUp = TimeSpan.FromSeconds(8 + 4 * random.NextDouble());
            while (!process.HasExited && StoredCount() <= previous && clock.Elapsed < giveUp) Thread.Sleep(20);
            bool exited = process.WaitForExit(TimeSpan.FromSeconds(0.25 * random.NextDouble()));
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            long stored = StoredCount();
            if (!exited && stored < Models) interrupted++;
            output.WriteLine($"run {kill}: {(exited ? $"finished (exit {process.ExitCode})" : "killed")} after {clock.Elapsed.TotalSeconds:F2} s; {stored} members stored");
            Assert.True(stored >= previous, "the store lost members");
            previous = stored;
        }

        Assert.True(interrupted >= 1, "no kill interrupted the study before it was complete");

        using (var final = StartCli())
        {
            Assert.True(final.WaitForExit(TimeSpan.FromSeconds(60)), "the final run did not finish");
            final.WaitForExit();
            Assert.Equal(0, final.ExitCode);
        }

        using (var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", command.ExecuteScalar());
            command.CommandText = "SELECT count(*), count(DISTINCT member_index), min(member_index), max(member_index) FROM study_members;";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(new long[] { Models, Models, 0, Models - 1 },
                new[] { reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3) });
        }

        var reference = new StudyRunner(TestStudies.SmallAbalone()).Run();
        using var store = new SqliteStudyStore(StorePath);
        var runner = new StudyRunner(TestStudies.SmallAbalone());
        var resumed = runner.Open(store);
        Assert.Equal(Enumerable.Range(0, Models), resumed.Select(m => m.Index));
        // Timings differ from run to run; everything else must match bit for bit.
        StudyMemberComparison.Equal(reference, resumed);

        // Opening the complete store again trains nothing and gives the same members.
        var again = runner.Run(store);
        StudyMemberComparison.Equal(resumed, again);
        Assert.Equal(resumed.Select(m => m.TrainSeconds), again.Select(m => m.TrainSeconds));
    }
}
