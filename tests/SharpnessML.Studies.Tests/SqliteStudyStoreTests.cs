using Microsoft.Data.Sqlite;
using SharpnessML.Studies;

namespace SharpnessML.Studies.Tests;

public sealed class SqliteStudyStoreTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-store-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string StorePath => Path.Combine(folder, "study.sqlite");

    private static StudyMember Member(int index, double sharpness = 0.1 + 1e-17) =>
        new(index, 100 + index, new Dictionary<string, string> { ["learningRate"] = "0.01", ["batchSize"] = "64" }, 3,
            0.25 / 3, 1.0 / 3, double.NaN, 0.125,
            new[]
            {
                new StudyMeasurement("adaptive-worst-linf", sharpness, Math.PI * 1e-5, 0.5, "{\"rho\":0.025}"),
                new StudyMeasurement("hessian-trace", 12.5, null, 0.25, "{\"method\":\"exact\"}"),
            }, 1.5);

    [Fact]
    public void MembersRoundTripExactlyAndInIndexOrder()
    {
        using (var store = new SqliteStudyStore(StorePath))
        {
            store.Open("abalone", "{\"a\":1}");
            Assert.True(store.Save("abalone", Member(2)));
            Assert.True(store.Save("abalone", Member(0, double.NaN)));
            Assert.False(store.Save("abalone", Member(2, 99)));
        }

        using var reopened = new SqliteStudyStore(StorePath);
        reopened.Open("abalone", "{\"a\":1}");
        Assert.Equal(new[] { 0, 2 }, reopened.CompletedIndices("abalone"));
        var members = reopened.LoadMembers("abalone");
        Assert.Equal(StudyMemberComparison.Canonical(Member(2), withoutTimes: false), StudyMemberComparison.Canonical(members[1], withoutTimes: false));
        Assert.True(double.IsNaN(members[0].Measurements[0].Value));
        Assert.True(double.IsNaN(members[0].TrainError));
        Assert.Null(members[0].Measurements[1].StandardError);
        Assert.Equal(new[] { "learningRate", "batchSize" }, members[0].Hyperparameters.Keys);
        Assert.Equal(StudyMemberComparison.Canonical(Member(0, double.NaN), withoutTimes: false), StudyMemberComparison.Canonical(members[0], withoutTimes: false));
    }

    [Fact]
    public void LoadingExceptKnownIndicesReadsOnlyTheOthers()
    {
        using var store = new SqliteStudyStore(StorePath);
        store.Open("abalone", "{\"a\":1}");
        foreach (var i in new[] { 0, 1, 3, 4 }) store.Save("abalone", Member(i));
        Assert.Equal(new[] { 1, 4 }, store.LoadMembers("abalone", except: new HashSet<int> { 0, 3, 7 }).Select(m => m.Index));
        Assert.Equal(2, store.LoadMembers("abalone", except: new HashSet<int> { 0, 3 })[0].Measurements.Count);
        Assert.Equal(new[] { 0, 1, 3, 4 }, store.LoadMembers("abalone", except: new HashSet<int>()).Select(m => m.Index));
    }

    [Fact]
    public void IsEmptyAndDeleteManageTheStoresFiles()
    {
        Assert.True(SqliteStudyStore.IsEmpty(StorePath)); // no file
        using (var store = new SqliteStudyStore(StorePath)) store.Open("abalone", "{\"a\":1}");
        Assert.True(SqliteStudyStore.IsEmpty(StorePath));
        using (var store = new SqliteStudyStore(StorePath))
        {
            store.Open("abalone", "{\"a\":1}");
            store.Save("abalone", Member(0));
        }
        Assert.False(SqliteStudyStore.IsEmpty(StorePath));
        SqliteStudyStore.Delete(StorePath);
        Assert.False(File.Exists(StorePath));
        Assert.False(File.Exists(StorePath + "-wal"));
    }

    [Fact]
    public void ADifferentConfigurationUnderTheSameIdIsRefused()
    {
        using var store = new SqliteStudyStore(StorePath);
        store.Open("abalone", "{\"rho\":0.025}");
        store.Open("other", "{\"rho\":0.05}");
        var error = Assert.Throws<InvalidOperationException>(() => store.Open("abalone", "{\"rho\":0.05}"));
        Assert.Contains("different configuration", error.Message);
        Assert.Contains("abalone", error.Message);
        Assert.Contains("0.025", error.Message);
    }

    [Fact]
    public void UsingAStudyBeforeOpeningItIsRefused()
    {
        using var store = new SqliteStudyStore(StorePath);
        Assert.Throws<InvalidOperationException>(() => store.Save("abalone", Member(0)));
    }

    [Fact]
    public void TheDatabaseUsesWal()
    {
        using (var store = new SqliteStudyStore(StorePath)) store.Open("abalone", "{}");
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }
}
