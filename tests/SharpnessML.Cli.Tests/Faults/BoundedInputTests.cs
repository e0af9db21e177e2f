using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace SharpnessML.Cli.Tests.Faults;

/// <summary>
/// Inputs built to exhaust memory, time or the stack (YAML aliases of aliases, 50,000-deep nesting, a complex key, a
/// grid of 5·10⁹ points, a 1 GB sparse CSV, devices, a FIFO, a zip bomb, a million threads): exit code 2 and one line
/// naming the file and the limit, before anything is read in bulk, nothing written.
/// </summary>
[Collection("Console")]
public sealed class BoundedInputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-bounded-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static string Data => Path.Combine(AppContext.BaseDirectory, "Data", "torchscript", "data.csv");

    private static string TorchScript => Path.Combine(AppContext.BaseDirectory, "Data", "torchscript", "fcnn.pt");

    private string Refused(params string[] args)
    {
        var before = FolderSnapshot.Of(folder);
        var (code, _, error) = CliRunner.Run(args);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Equal(before, FolderSnapshot.Of(folder));
        return FolderSnapshot.OneLine(error);
    }

    private string StudyFile(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string RunStudy(string path) => Refused("study", "run", path, "--out", Path.Combine(folder, "report"), "--workers", "1");

    [Fact]
    public void YamlAliasesOfAliasesAreRefused()
    {
        var yaml = new StringBuilder("dataset: abalone\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        var line = RunStudy(StudyFile("laughs.yaml", yaml.ToString()));
        Assert.Contains("laughs.yaml: not valid YAML (line 3): aliases (*name) are not supported", line);
    }

    [Fact]
    public void YamlNested50000DeepIsRefused()
    {
        var line = RunStudy(StudyFile("deep.yaml", "dataset: abalone\ngrid: " + new string('[', 50_000) + new string(']', 50_000) + "\n"));
        Assert.Contains("deep.yaml: not valid YAML (line 2): nested more than 64 levels deep", line);
    }

    [Fact]
    public void JsonNested50000DeepIsRefused()
    {
        var line = RunStudy(StudyFile("deep.json", "{\"dataset\": \"abalone\", \"grid\": " + new string('[', 50_000) + new string(']', 50_000) + "}"));
        Assert.Contains("deep.json: not valid JSON: The maximum configured depth of 64 has been exceeded", line);
    }

    [Fact]
    public void AYamlComplexKeyIsRefused()
    {
        var line = RunStudy(StudyFile("complex.yaml", "? [a, b]\n: 1\n"));
        Assert.Contains("complex.yaml: not valid YAML (line 1): a mapping key must be a plain scalar", line);
    }

    [Fact]
    public void AGridOfFiveBillionPointsIsRefusedBeforeEnumerating()
    {
        var grid = JsonSerializer.Serialize(new
        {
            dataset = "abalone",
            grid = new Dictionary<string, int[]>
            {
                ["batchSize"] = Enumerable.Range(1, 50_000).ToArray(), ["epochs"] = Enumerable.Range(1, 50_000).ToArray(), ["replicate"] = new[] { 0, 1 },
            },
        });
        var line = RunStudy(StudyFile("grid.json", grid));
        Assert.Contains("the grid has 5,000,000,000 points (50000 × 50000 × 2); a study has at most 1,000,000 members", line);
    }

    [Fact]
    public void AStudyFileLargerThanTheLimitIsNotRead()
    {
        var path = Path.Combine(folder, "huge.json");
        using (var file = File.Create(path)) file.SetLength(2L << 20);
        Assert.Contains("Study file '" + path + "' is 2,097,152 bytes (2 MiB); the limit is 1,048,576 bytes (1 MiB).", RunStudy(path));
    }

    [Fact]
    public void ASparseGigabyteCsvIsRefusedByItsSize()
    {
        var path = Path.Combine(folder, "sparse.csv");
        using (var file = File.Create(path)) file.SetLength(1L << 30);
        var line = Refused("score", "--model", TorchScript, "--loss", "mse", "--data", path, "--label", "target");
        Assert.Contains($"Data file '{path}' is 1,073,741,824 bytes (1024 MiB); the limit is 268,435,456 bytes (256 MiB).", line);
        line = Refused("reproduce", "abalone", "--data", path, "--models", "3", "--out", Path.Combine(folder, "report"), "--workers", "1", "--no-store");
        Assert.Contains($"Abalone data file '{path}' is 1,073,741,824 bytes", line);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void DevicesAreRefusedUpFront(string device)
    {
        Assert.Contains($"Data file '{device}' is not a regular file", Refused("score", "--model", TorchScript, "--loss", "mse", "--data", device, "--label", "target"));
        Assert.Contains($"Abalone data file '{device}' is not a regular file",
            Refused("reproduce", "abalone", "--data", device, "--models", "3", "--out", Path.Combine(folder, "report"), "--workers", "1", "--no-store"));
        Assert.Contains($"Study file '{device}' is not a regular file", Refused("study", "run", device, "--out", Path.Combine(folder, "report")));
    }

    [Fact]
    public void AFifoWithoutAWriterIsRefusedWithoutBlocking()
    {
        var fifo = Path.Combine(folder, "data.csv");
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        Assert.Contains($"Data file '{fifo}' is not a regular file", Refused("score", "--model", TorchScript, "--loss", "mse", "--data", fifo, "--label", "target"));
        Assert.Contains($"is not a regular file", Refused("score", "--model", fifo, "--loss", "mse", "--data", Data, "--label", "target"));
        Assert.Contains(fifo, Refused("score", "--model", TorchScript, "--loss", "mse", "--data", fifo, "--labels", fifo));
    }

    /// <summary>
    /// A zip of one entry of 1 MiB of zeros whose headers say it inflates to <paramref name="declared"/> bytes (a bomb
    /// declares its true size; a lying header is the other attack).
    /// </summary>
    private string Zip(string name, string entry, uint declared)
    {
        var path = Path.Combine(folder, name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var stream = zip.CreateEntry(entry, CompressionLevel.Optimal).Open())
            stream.Write(new byte[1 << 20]);
        var bytes = File.ReadAllBytes(path);
        for (int i = 0; i + 4 <= bytes.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            if (signature == 0x04034b50) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 22), declared); // local header
            if (signature == 0x02014b50) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), declared); // central directory
        }

        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void AZipBombIsRefusedByItsDeclaredSizes()
    {
        var bomb = Zip("bomb.zip", "sharpnessml.json", 300u << 20);
        Assert.True(new FileInfo(bomb).Length < 64 << 10);
        var line = Refused("score", "--model", bomb, "--data", Data, "--label", "target");
        Assert.Contains($"Model file '{bomb}': entry 'sharpnessml.json' declares 314,572,800 bytes (300 MiB) uncompressed; the limit is 268,435,456 bytes (256 MiB).", line);
        var torchScript = Zip("bomb.pt", "fcnn/data.pkl", 300u << 20);
        Assert.Contains($"TorchScript file '{torchScript}': entry 'fcnn/data.pkl' declares 314,572,800 bytes (300 MiB)",
            Refused("score", "--model", torchScript, "--loss", "mse", "--data", Data, "--label", "target"));
    }

    [Fact]
    public void AnEntryInflatingBeyondItsDeclaredSizeIsReadOnlyToThatSize()
    {
        var liar = Zip("liar.zip", "sharpnessml.json", 1000);
        var line = Refused("score", "--model", liar, "--data", Data, "--label", "target");
        Assert.Contains($"Model file '{liar}'", line);
    }

    [Fact]
    public void AMillionThreadsAreCappedAtTheCoreCountWithAWarning()
    {
        var (code, _, error) = CliRunner.Run(["reproduce", "abalone", "--threads", "1000000", "--models", "3", "--epochs", "1", "--sharpness-batches", "1",
            "--sharpness-steps", "1", "--workers", "1", "--no-store", "--out", Path.Combine(folder, "report")]);
        Assert.True(code == 0, error);
        Assert.Contains($"warning: 1000000 torch threads asked for, but this machine has {Environment.ProcessorCount} cores; using {Environment.ProcessorCount}.", error);
    }
}
