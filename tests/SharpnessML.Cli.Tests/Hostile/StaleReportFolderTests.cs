using SharpnessML.Cli.Reports;

namespace SharpnessML.Cli.Tests.Hostile;

/// <summary>
/// Issue 16, defect 6: the temporary <c>.OUT.tmp-*</c> (and replaced <c>.OUT.old-*</c>) folders of a killed run are
/// removed when the next run prepares the same report folder — only ours, only when their process is gone.
/// </summary>
public sealed class StaleReportFolderTests : IDisposable
{
    private readonly string parent = Directory.CreateTempSubdirectory("sharpnessml-stale-").FullName;

    public void Dispose() => Directory.Delete(parent, recursive: true);

    private string Make(string name, TimeSpan age)
    {
        var path = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
        File.WriteAllText(Path.Combine(path, "summary.md"), "half-written");
        Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    [Fact]
    public void A_killed_runs_temporary_folders_go_at_the_next_start_and_nothing_else()
    {
        const int gone = 4194305; // above Linux's largest pid_max: never a running process
        var guid = Guid.NewGuid().ToString("N");
        var stale = Make($".report.tmp-{gone}-{guid}", TimeSpan.FromMinutes(5));
        var staleOld = Make($".report.old-{gone}-{Guid.NewGuid():N}", TimeSpan.FromMinutes(5));
        var legacy = Make($".report.tmp-{Guid.NewGuid():N}", TimeSpan.FromDays(2));
        var live = Make($".report.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}", TimeSpan.FromMinutes(5)); // this process: running
        var young = Make($".report.tmp-{gone}-{Guid.NewGuid():N}", TimeSpan.Zero);                           // may be another pid namespace's
        var youngLegacy = Make($".report.tmp-{Guid.NewGuid():N}", TimeSpan.FromHours(1));
        var other = Make(".report.tmp-notours", TimeSpan.FromDays(2));
        var otherReport = Make($".other.tmp-{gone}-{guid}", TimeSpan.FromMinutes(5));

        using (AtomicDirectory.Prepare(Path.Combine(parent, "report"), "report")) { }

        Assert.False(Directory.Exists(stale));
        Assert.False(Directory.Exists(staleOld));
        Assert.False(Directory.Exists(legacy));
        foreach (var kept in new[] { live, young, youngLegacy, other, otherReport }) Assert.True(Directory.Exists(kept), kept);
        // The prepared temporary folder was disposed uncommitted: nothing of this run is left either.
        Assert.Equal(5, Directory.GetFileSystemEntries(parent).Length);
    }
}
