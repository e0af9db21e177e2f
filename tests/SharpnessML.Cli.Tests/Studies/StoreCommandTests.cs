using SharpnessML.Cli;
using SharpnessML.Studies;

namespace SharpnessML.Cli.Tests.Studies;

[Collection("Console")]
public sealed class StoreCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-store-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void AStoreOfAnotherConfigurationIsRefusedWithOneLineAndNoReport()
    {
        var storePath = Path.Combine(folder, "study.sqlite");
        using (var store = new SqliteStudyStore(storePath)) store.Open("abalone", "{\"rho\":0.5}");
        var output = Path.Combine(folder, "report");
        var (code, _, error) = CliRunner.Run(["reproduce", "abalone", "--models", "3", "--out", output, "--store", storePath]);

        Assert.Equal(2, code);
        Assert.Contains("different configuration", error);
        Assert.False(Directory.Exists(output));
    }
}
