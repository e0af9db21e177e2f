using System.Globalization;
using System.Text.Json;
using SharpnessML.Cli;

namespace SharpnessML.Cli.Tests.Commands;

[Collection("Console")]
public sealed class LandscapeCommandTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
    private static readonly string Model = Path.Combine(Fixtures, "fcnn.pt");
    private static readonly string Data = Path.Combine(Fixtures, "data.csv");
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-landscape-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    private static List<double[]> ReadCsv(string path, out string header)
    {
        var lines = File.ReadAllLines(path);
        header = lines[0];
        return lines.Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
    }

    [Fact]
    public void TwoDimensionalSurfaceWritesAPngAndTheGridCentredOnTheModelsLoss()
    {
        var output = Path.Combine(folder, "surface");
        var (code, stdout, error) = Run("landscape", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse",
            "--2d", "--steps", "5", "--range", "-1", "1", "--out", output);
        Assert.True(code == 0, error);
        Assert.Contains("25 points on 40 examples", stdout);
        var png = File.ReadAllBytes(Path.Combine(output, "landscape.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4));
        var rows = ReadCsv(Path.Combine(output, "landscape.csv"), out var header);
        Assert.Equal("x,y,loss", header);
        Assert.Equal(25, rows.Count);
        Assert.Equal(new[] { -1, -0.5, 0, 0.5, 1 }, rows.Take(5).Select(r => r[0]));
        // The centre is the model: its loss is score's loss on the same 40 rows (all of them: fewer than 1,024).
        var (scoreCode, scored, scoreError) = Run("score", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse", "--format", "json");
        Assert.True(scoreCode == 0, scoreError);
        var loss = JsonDocument.Parse(scored).RootElement[0].GetProperty("value").GetDouble();
        var centre = rows.Single(r => r[0] == 0 && r[1] == 0)[2];
        Assert.Equal(loss, centre, 6);
        Assert.True(rows.Max(r => r[2]) > centre, "a trained model should sit lower than the edges of its surface");
    }

    [Fact]
    public void TheLineFromAModelToItselfIsFlatAtItsLoss()
    {
        var output = Path.Combine(folder, "line");
        var (code, _, error) = Run("landscape", "--model", Model, "--to", Model, "--data", Data, "--label", "target", "--loss", "mse",
            "--steps", "5", "--out", output);
        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(output, "landscape.csv"), out var header);
        Assert.Equal("x,loss", header);
        Assert.Equal(new[] { -0.5, 0, 0.5, 1, 1.5 }, rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(rows[0][1], r[1]));
    }

    [Theory]
    [InlineData("--steps", "1")]
    [InlineData("--range", "1", "-1")]
    [InlineData("--examples", "-3")]
    public void BadOptionsGiveOneLineAndExitCode2(params string[] bad)
    {
        var output = Path.Combine(folder, "bad");
        var args = new[] { "landscape", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse", "--out", output }.Concat(bad).ToArray();
        var (code, _, error) = Run(args);
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains(bad[0], error);
        Assert.False(Directory.Exists(output));
    }
}
