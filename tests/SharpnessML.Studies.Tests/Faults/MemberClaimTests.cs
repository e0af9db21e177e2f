using Microsoft.Data.Sqlite;
using SharpnessML.Studies;

namespace SharpnessML.Studies.Tests.Faults;

/// <summary>
/// Claims in the store: a member another live worker holds is left to it (a shard) or waited for until its lease
/// expires (a whole-study run, which then trains it); a claim of a dead process on this machine is taken over at once;
/// a member missing measurement rows is trained again; a member that cannot be stored leaves no model file.
/// </summary>
public sealed class MemberClaimTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-claims-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private string StorePath => Path.Combine(folder, "study.db");

    private static StudyDefinition Study()
    {
        var definition = TestStudies.SmallAbalone();
        definition.Models = 3;
        definition.Measures[0].Batches = 1;
        definition.Measures[0].Steps = 1;
        return definition;
    }

    private void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public void TryClaimSaysStoredHeldOrClaimedAndSavingReleases()
    {
        using var store = new SqliteStudyStore(StorePath);
        store.Open("abalone", "{\"a\":1}");
        var lease = TimeSpan.FromMinutes(1);
        Assert.Equal(MemberClaim.Claimed, store.TryClaim("abalone", 0, "elsewhere/pid 1/a", lease, out _));
        Assert.Equal(MemberClaim.Held, store.TryClaim("abalone", 0, "elsewhere/pid 2/b", lease, out var holder));
        Assert.Equal("elsewhere/pid 1/a", holder);
        Assert.Equal(MemberClaim.Claimed, store.TryClaim("abalone", 0, "elsewhere/pid 1/a", lease, out _)); // its own
        store.Save("abalone", StoreFaultTests.Member(0));
        Assert.Equal(MemberClaim.Stored, store.TryClaim("abalone", 0, "elsewhere/pid 2/b", lease, out _));
        // An expired lease is taken over; so is a live lease of a process on this machine that is gone.
        Assert.Equal(MemberClaim.Claimed, store.TryClaim("abalone", 1, "elsewhere/pid 1/a", TimeSpan.FromMilliseconds(-1), out _));
        Assert.Equal(MemberClaim.Claimed, store.TryClaim("abalone", 1, "elsewhere/pid 2/b", lease, out _));
        Assert.Equal(MemberClaim.Claimed, store.TryClaim("abalone", 2, $"{Environment.MachineName}/pid {int.MaxValue}/c", lease, out _));
        Assert.Equal(MemberClaim.Claimed, store.TryClaim("abalone", 2, "elsewhere/pid 2/b", lease, out _));
        store.ReleaseAll("elsewhere/pid 2/b");
        Assert.Equal(MemberClaim.Claimed, store.TryClaim("abalone", 1, "elsewhere/pid 3/c", lease, out _));
    }

    [Fact]
    public void AShardLeavesAHeldMemberAndAWholeRunWaitsForItsLeaseThenTrainsIt()
    {
        var runner = new StudyRunner(Study());
        using var store = new SqliteStudyStore(StorePath);
        runner.Open(store);
        Sql($"INSERT INTO member_claims VALUES ('abalone', 0, 'elsewhere/pid 1/x', {NowMs + 60_000});");
        var shard = runner.Run(store, new StudyRunSettings { Shard = 0, ShardCount = 2 });
        Assert.Equal(new[] { 2 }, shard.Select(m => m.Index)); // member 0 is the other worker's

        Sql($"UPDATE member_claims SET expires_ms = {NowMs + 1500} WHERE member_index = 0;");
        var messages = new List<string>();
        var whole = runner.Run(store, new StudyRunSettings { ClaimPollInterval = TimeSpan.FromMilliseconds(100) }, p => messages.Add(p.Message));
        Assert.Equal(new[] { 0, 1, 2 }, whole.Select(m => m.Index));
        Assert.Contains("waiting for member 0, which elsewhere/pid 1/x is training", messages);
        Assert.Contains(messages, m => m.StartsWith("training member 0", StringComparison.Ordinal));
        StudyMemberComparison.Equal(new StudyRunner(Study()).Run(), whole);
        Sql("SELECT 1;");
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM member_claims;";
        Assert.Equal(0L, count.ExecuteScalar()); // every claim released by saving
    }

    [Fact]
    public void AMemberMissingAMeasurementRowIsTrainedAgain()
    {
        using (var store = new SqliteStudyStore(StorePath)) new StudyRunner(Study()).Run(store);
        Sql("DELETE FROM member_measurements WHERE member_index = 1;");

        var messages = new List<string>();
        using var reopened = new SqliteStudyStore(StorePath);
        var members = new StudyRunner(Study()).Run(reopened, onProgress: p => messages.Add(p.Message));
        Assert.Equal(new[] { "training member 1" }, messages.Where(m => m.StartsWith("training", StringComparison.Ordinal)).Select(m => m[..17]));
        Assert.All(members, m => Assert.Single(m.Measurements));
        StudyMemberComparison.Equal(new StudyRunner(Study()).Run(), members);
    }

    /// <summary>A store whose disk fills after <paramref name="room"/> members.</summary>
    private sealed class FillingStore(IStudyStore inner, int room) : IStudyStore
    {
        public void Open(string studyId, string configurationJson) => inner.Open(studyId, configurationJson);
        public IReadOnlyList<int> CompletedIndices(string studyId) => inner.CompletedIndices(studyId);
        public IReadOnlyList<StudyMember> LoadMembers(string studyId) => inner.LoadMembers(studyId);
        public void Dispose() => inner.Dispose();

        public bool Save(string studyId, StudyMember member) =>
            room-- > 0 ? inner.Save(studyId, member) : throw new IOException("Study store x: the disk is full");
    }

    [Fact]
    public void AMemberTheStoreCannotTakeLeavesNoModelFile()
    {
        var models = Path.Combine(folder, "models");
        using var store = new FillingStore(new SqliteStudyStore(StorePath), room: 1);
        var error = Assert.Throws<IOException>(() => new StudyRunner(Study()).Run(store, new StudyRunSettings { ModelDirectory = models }));
        Assert.Contains("the disk is full", error.Message);
        Assert.Equal(new[] { "model-000.zip" }, Directory.GetFiles(models).Select(Path.GetFileName)); // member 1's is gone with it
    }

    [Fact]
    public void StaleTemporaryFilesOfDeadProcessesAreSweptAndLiveOrYoungOnesKept()
    {
        var models = Directory.CreateDirectory(Path.Combine(folder, "models")).FullName;
        var old = DateTime.UtcNow - TimeSpan.FromHours(1);
        string Make(string dir, string name, DateTime time)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, "x");
            File.SetLastWriteTimeUtc(path, time);
            return path;
        }

        int dead = int.MaxValue;
        var staleJson = Make(Path.GetTempPath(), $"sharpnessml-study-{dead}-{Guid.NewGuid():N}.json", old);
        var staleDb = Make(Path.GetTempPath(), $"sharpnessml-study-{dead}-{Guid.NewGuid():N}.db-wal", old);
        var stalePt = Make(Path.GetTempPath(), $"sharpnessml-{dead}-{Guid.NewGuid():N}.pt", old);
        var live = Make(Path.GetTempPath(), $"sharpnessml-study-{Environment.ProcessId}-{Guid.NewGuid():N}.json", old);
        var young = Make(Path.GetTempPath(), $"sharpnessml-study-{dead}-{Guid.NewGuid():N}.json", DateTime.UtcNow);
        var legacyOld = Make(Path.GetTempPath(), $"sharpnessml-study-{Guid.NewGuid():N}.json", DateTime.UtcNow - TimeSpan.FromDays(2));
        var legacyRecent = Make(Path.GetTempPath(), $"sharpnessml-study-{Guid.NewGuid():N}.json", old);
        var staleTmp = Make(models, $"model-004.zip.tmp-{dead}-0123abcd", old);
        var stalePending = Make(models, $"model-004.zip.pending-{dead}-0123abcd", old);
        var nested = Make(models, $"model-004.zip.pending-{dead}-0123abcd.tmp-{dead}-89abcdef", old);
        var model = Make(models, "model-004.zip", old);
        var foreign = Make(models, "model-004.zip.backup", old);
        try
        {
            TemporaryFiles.SweepStale(models);
            Assert.All(new[] { staleJson, staleDb, stalePt, staleTmp, stalePending, nested, legacyOld }, p => Assert.False(File.Exists(p), p));
            Assert.All(new[] { live, young, model, foreign, legacyRecent }, p => Assert.True(File.Exists(p), p));
        }
        finally
        {
            foreach (var p in new[] { staleJson, staleDb, stalePt, live, young, legacyOld, legacyRecent }) File.Delete(p);
        }
    }
}
