using Microsoft.Data.Sqlite;
using SharpnessML.Studies;

namespace SharpnessML.Studies.Tests.Faults;

/// <summary>
/// A store that is not one (a folder, a text file, damaged, truncated, another program's database, the wrong schema)
/// is refused with one line naming it and the way out, and left as it was; a full disk loses nothing stored before and
/// leaves no part of the member it could not store.
/// </summary>
public sealed class StoreFaultTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-store-faults-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private string StorePath => Path.Combine(folder, "study.db");

    internal static StudyMember Member(int index) =>
        new(index, 100 + index, new Dictionary<string, string> { ["learningRate"] = "0.01" }, 3, 0.25, 0.5, double.NaN, 0.125,
            new[] { new StudyMeasurement("adaptive-worst-linf", 0.1 * index, 1e-3, 0.5, "{\"rho\":0.025,\"padding\":\"" + new string('x', 2000) + "\"}") }, 1.5);

    /// <summary>A store of <paramref name="members"/> members, closed (its write-ahead log checkpointed into the file).</summary>
    private void WriteStore(int members)
    {
        using var store = new SqliteStudyStore(StorePath);
        store.Open("abalone", "{\"a\":1}");
        for (int i = 0; i < members; i++) store.Save("abalone", Member(i));
    }

    private static IOException Refused(string path)
    {
        var before = File.Exists(path) ? File.ReadAllBytes(path) : null;
        var error = Assert.Throws<IOException>(() => new SqliteStudyStore(path));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(Path.GetFullPath(path), error.Message);
        if (before != null) Assert.Equal(before, File.ReadAllBytes(path)); // not touched
        Assert.False(File.Exists(path + "-wal"));
        return error;
    }

    [Fact]
    public void AFolderIsRefusedAsAStoreAndByFresh()
    {
        var error = Refused(folder);
        Assert.Contains("is a folder", error.Message);
        Assert.Contains("is a folder", Assert.Throws<IOException>(() => SqliteStudyStore.Delete(folder)).Message);
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public void AnUnwritablePathIsOneLine()
    {
        var error = Assert.Throws<IOException>(() => new SqliteStudyStore("/proc/x.db"));
        Assert.StartsWith("Study store /proc/x.db", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ATextFileIsNotAStore()
    {
        File.WriteAllText(StorePath, "member,loss\n0,0.5\n");
        Assert.Contains(SqliteStudyStore.StartOverHint, Refused(StorePath).Message);
    }

    [Fact]
    public void RandomBytesInTheMiddleAreFoundBeforeAnythingIsRead()
    {
        WriteStore(20);
        var bytes = File.ReadAllBytes(StorePath);
        new Random(16).NextBytes(bytes.AsSpan(bytes.Length / 2, 4096));
        File.WriteAllBytes(StorePath, bytes);
        var error = Refused(StorePath);
        Assert.Contains("is damaged", error.Message);
        Assert.Contains(SqliteStudyStore.StartOverHint, error.Message);
    }

    [Fact]
    public void ATruncatedStoreIsDamaged()
    {
        WriteStore(20);
        using (var file = new FileStream(StorePath, FileMode.Open)) file.SetLength(file.Length / 2);
        Assert.Contains(SqliteStudyStore.StartOverHint, Refused(StorePath).Message);
    }

    [Fact]
    public void AnotherProgramsDatabaseIsNeitherUsedNorChanged()
    {
        using (var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER, total REAL); INSERT INTO invoices VALUES (1, 9.5);";
            command.ExecuteNonQuery();
        }

        var error = Refused(StorePath);
        Assert.Contains("of something else (tables: invoices)", error.Message);
        Assert.Contains(SqliteStudyStore.StartOverHint, error.Message);
    }

    [Fact]
    public void ATableWithTheWrongColumnsIsRefused()
    {
        WriteStore(2);
        using (var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE member_measurements; CREATE TABLE member_measurements (x TEXT);";
            command.ExecuteNonQuery();
        }

        var error = Refused(StorePath);
        Assert.Contains("table 'member_measurements' without the column(s) study_id", error.Message);
    }

    [Fact]
    public void AFullDiskKeepsTheStoredMembersAndNoPartOfTheNextOne()
    {
        using (var store = new SqliteStudyStore(StorePath))
        {
            store.Open("abalone", "{\"a\":1}");
            store.Save("abalone", Member(0));
            store.Save("abalone", Member(1));
            store.LimitGrowth(0);
            var error = Assert.Throws<IOException>(() => store.Save("abalone", Member(2)));
            Assert.StartsWith($"Study store {StorePath}: the disk is full", error.Message);
            Assert.Contains("could not store member 2 (nothing of it was written; the members stored before are kept)", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }

        using var reopened = new SqliteStudyStore(StorePath);
        reopened.Open("abalone", "{\"a\":1}");
        Assert.Equal(new[] { 0, 1 }, reopened.CompletedIndices("abalone"));
        Assert.All(reopened.LoadMembers("abalone"), m => Assert.Single(m.Measurements));
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", command.ExecuteScalar());
        command.CommandText = "SELECT count(*) FROM member_measurements WHERE member_index = 2;";
        Assert.Equal(0L, command.ExecuteScalar());
    }
}
