using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace SharpnessML.Cli.Tests.Faults;

/// <summary>
/// Faults across processes: a SIGKILLed parent takes its workers with it and its temporary files go at the next start;
/// two runs started on one store train each member once between them.
/// </summary>
public sealed class ProcessFaultTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-process-faults-").FullName;
    private readonly ITestOutputHelper output;

    public ProcessFaultTests(ITestOutputHelper output) => this.output = output;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private string StorePath => Path.Combine(folder, "study.db");

    private Process Start(string report, int models, int workers, Action<string>? line = null) =>
        CliRunner.Start(folder, l => { output.WriteLine($"  {report}: {l}"); line?.Invoke(l); },
            "reproduce", "abalone", "--models", $"{models}", "--epochs", "1", "--sharpness-batches", "1", "--sharpness-steps", "2",
            "--out", Path.Combine(folder, report), "--store", StorePath, "--workers", $"{workers}");

    private static List<int> Children(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse).ToList();

    private static string[] TemporaryFilesOf(int pid) => Directory.GetFiles(Path.GetTempPath(), $"sharpnessml-study-{pid}-*");

    [Fact]
    public void AKilledParentsWorkerStopsAndItsTemporaryFilesGoAtTheNextStart()
    {
        using var parent = Start("report", models: 40, workers: 2);
        var clock = Stopwatch.StartNew();
        List<int> workers = new();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !parent.HasExited && (workers = Children(parent.Id)).Count == 0) Thread.Sleep(50);
        Assert.False(parent.HasExited, "the run ended before a worker started");
        var worker = Assert.Single(workers);
        Thread.Sleep(1500); // the worker is training
        var leftovers = TemporaryFilesOf(parent.Id);
        Assert.NotEmpty(leftovers); // the definition file the worker read
        parent.Kill(); // SIGKILL, the parent alone
        parent.WaitForExit();

        clock.Restart();
        while (Directory.Exists($"/proc/{worker}") && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
        Assert.False(Directory.Exists($"/proc/{worker}"), "the worker outlived its parent");
        output.WriteLine($"worker {worker} stopped {clock.Elapsed.TotalSeconds:F1} s after its parent was killed");
        Assert.All(leftovers, f => Assert.True(File.Exists(f), f));

        foreach (var file in leftovers) File.SetLastWriteTimeUtc(file, DateTime.UtcNow - TimeSpan.FromHours(1)); // as if killed an hour ago
        using var next = Start("report", models: 3, workers: 1);
        Assert.True(next.WaitForExit(TimeSpan.FromSeconds(120)), "the next run did not finish");
        next.WaitForExit();
        Assert.Equal(0, next.ExitCode);
        Assert.All(leftovers, f => Assert.False(File.Exists(f), f));
        Assert.Empty(TemporaryFilesOf(next.Id));
    }

    [Fact]
    public void TwoRunsOnOneStoreTrainEachMemberOnce()
    {
        const int models = 12;
        var trained = new List<string>();
        void Trained(string line)
        {
            if (line.Contains("training member", StringComparison.Ordinal)) lock (trained) trained.Add(line);
        }

        // Both print to standard output; capture it through their progress lines.
        using var first = StartCapturing("first", models, Trained);
        using var second = StartCapturing("second", models, Trained);
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(180)) && second.WaitForExit(TimeSpan.FromSeconds(180)), "the runs did not finish");
        first.WaitForExit();
        second.WaitForExit();
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        var members = trained.Select(l => l[(l.IndexOf("training member ", StringComparison.Ordinal) + 16)..].Split(':')[0]).ToList();
        Assert.Equal(Enumerable.Range(0, models), members.Select(int.Parse).Order());
        Assert.True(File.Exists(Path.Combine(folder, "first", "summary.md")));
        Assert.True(File.Exists(Path.Combine(folder, "second", "summary.md")));
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM member_claims;";
        Assert.Equal(0L, command.ExecuteScalar());
    }

    private Process StartCapturing(string report, int models, Action<string> line)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "sharpnessml.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder,
        };
        foreach (var arg in new[] { cli, "reproduce", "abalone", "--models", $"{models}", "--epochs", "1", "--sharpness-batches", "1", "--sharpness-steps", "2",
                     "--out", Path.Combine(folder, report), "--store", StorePath, "--workers", "1" })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data != null) { output.WriteLine($"  {report}: {e.Data}"); line(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) output.WriteLine($"  {report} stderr: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
