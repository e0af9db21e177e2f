using SharpnessML.Cli;
using SharpnessML.Studies;

namespace SharpnessML.Tests.Studies;

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
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        int code;
        try
        {
            code = Program.Main(["reproduce", "abalone", "--models", "3", "--out", output, "--store", storePath]);
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Equal(2, code);
        Assert.Contains("different configuration", error.ToString());
        Assert.False(Directory.Exists(output));
    }
}
