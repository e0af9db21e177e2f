using Microsoft.Data.Sqlite;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Tests.Faults;

/// <summary>
/// <c>--store</c> naming something that is not a study store: exit code 2, one line with the path (and, for a damaged
/// file, "rerun with --fresh to start over, or move the file away"), no training, nothing in the folder changed.
/// </summary>
[Collection("Console")]
public sealed class StoreFaultTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-store-faults-cli-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private string Refused(string store)
    {
        var before = FolderSnapshot.Of(folder);
        var (code, output, error) = CliRunner.Run(["reproduce", "abalone", "--models", "3", "--epochs", "1", "--workers", "1",
            "--out", Path.Combine(folder, "report"), "--store", store]);
        Assert.Equal(2, code);
        Assert.DoesNotContain("training member", output);
        Assert.Equal(before, FolderSnapshot.Of(folder));
        return FolderSnapshot.OneLine(error);
    }

    [Fact]
    public void AFolder()
    {
        var store = Directory.CreateDirectory(Path.Combine(folder, "stores")).FullName;
        Assert.Contains($"Study store {store} is a folder", Refused(store));
    }

    [Fact]
    public void AnUnwritablePath() => Assert.Contains("Study store /proc/x.db", Refused("/proc/x.db"));

    [Fact]
    public void ATextFile()
    {
        var store = Path.Combine(folder, "notes.db");
        File.WriteAllText(store, "nothing to see\n");
        var line = Refused(store);
        Assert.Contains(store, line);
        Assert.Contains("rerun with --fresh to start over, or move the file away", line);
    }

    [Fact]
    public void ADamagedStoreAndFreshStartsOver()
    {
        var store = Path.Combine(folder, "abalone.db");
        using (var good = new SqliteStudyStore(store))
        {
            good.Open("abalone", "{}");
            for (int i = 0; i < 20; i++)
                good.Save("abalone", new StudyMember(i, i, new Dictionary<string, string>(), 1, 1, 1, 1, 1,
                    new[] { new StudyMeasurement("m", 1, null, 1, "{\"pad\":\"" + new string('y', 3000) + "\"}") }, 1));
        }

        var bytes = File.ReadAllBytes(store);
        new Random(3).NextBytes(bytes.AsSpan(bytes.Length / 2, 4096));
        File.WriteAllBytes(store, bytes);
        var line = Refused(store);
        Assert.Contains($"Study store {store} is damaged", line);
        Assert.Contains("rerun with --fresh to start over, or move the file away", line);

        var (code, _, error) = CliRunner.Run(["reproduce", "abalone", "--models", "3", "--epochs", "1", "--sharpness-batches", "1", "--sharpness-steps", "1",
            "--workers", "1", "--out", Path.Combine(folder, "report"), "--store", store, "--fresh"]);
        Assert.True(code == 0, error);
    }

    [Fact]
    public void ATruncatedStore()
    {
        var store = Path.Combine(folder, "abalone.db");
        using (var good = new SqliteStudyStore(store))
        {
            good.Open("abalone", "{}");
            for (int i = 0; i < 20; i++)
                good.Save("abalone", new StudyMember(i, i, new Dictionary<string, string>(), 1, 1, 1, 1, 1,
                    new[] { new StudyMeasurement("m", 1, null, 1, "{\"pad\":\"" + new string('y', 3000) + "\"}") }, 1));
        }

        using (var file = new FileStream(store, FileMode.Open)) file.SetLength(file.Length / 3);
        Assert.Contains("rerun with --fresh to start over, or move the file away", Refused(store));
    }

    [Fact]
    public void AnotherSchema()
    {
        var store = Path.Combine(folder, "app.db");
        using (var connection = new SqliteConnection($"Data Source={store};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE studies (name TEXT);";
            command.ExecuteNonQuery();
        }

        var line = Refused(store);
        Assert.Contains("table 'studies' without the column(s) id, config_hash", line);
        Assert.Contains("rerun with --fresh", line);
    }
}
