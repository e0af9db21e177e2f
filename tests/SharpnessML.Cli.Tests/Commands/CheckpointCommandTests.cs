using System.Globalization;
using System.Text.Json;
using SharpnessML.Cli;

namespace SharpnessML.Cli.Tests.Commands;

/// <summary><c>score</c> and <c>landscape</c> on PyTorch state_dicts (Data/checkpoints, written by PyTorch 1.13) with <c>--architecture</c>.</summary>
[Collection("Console")]
public sealed class CheckpointCommandTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "checkpoints");
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>The FCNN's four reference inputs with targets PyTorch's output + 0.1, so the MSE is exactly 0.01 up to float32 round-off.</summary>
    private string OffsetData()
    {
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement.GetProperty("fcnn");
        var outputs = reference.GetProperty("outputs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var lines = new List<string> { string.Join(",", Enumerable.Range(0, 10).Select(i => $"f{i}")) + ",target" };
        int row = 0;
        foreach (var input in reference.GetProperty("inputs").EnumerateArray())
            lines.Add(string.Join(",", input.EnumerateArray().Select(v => v.GetString())) + "," + ((float)(outputs[row++] + 0.1)).ToString("R", CultureInfo.InvariantCulture));
        var path = Path.Combine(folder, "data.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void ScoreMeasuresTheNotebooksOwnStateDict()
    {
        var (code, output, error) = CliRunner.Run("score", "--model", Path.Combine(Fixtures, "fcnn.pt"), "--architecture", "fcnn:10-64-64-1:elu",
            "--data", OffsetData(), "--label", "target", "--measure", "weight-l2-norm", "--measure", "landscape-1d-sharpness", "--format", "json");
        Assert.True(code == 0, error);
        var items = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(0.01, items[0].GetProperty("value").GetDouble(), 6); // MSE: the default loss of one output
        Assert.True(items[1].GetProperty("value").GetDouble() > 0);
        var details = items[2].GetProperty("details");
        Assert.Equal(0.01, details.GetProperty("base_loss").GetDouble(), 6);
        Assert.Equal(10, details.GetProperty("increases").GetArrayLength());
        Assert.Equal(details.GetProperty("increases").EnumerateArray().Average(e => e.GetDouble()), items[2].GetProperty("value").GetDouble(), 12);
    }

    [Fact]
    public void LandscapeOfAStateDictIsCentredOnItsLoss()
    {
        var output = Path.Combine(folder, "surface");
        var (code, _, error) = CliRunner.Run("landscape", "--model", Path.Combine(Fixtures, "fcnn.pt"), "--architecture", "fcnn:10-64-64-1:elu",
            "--data", OffsetData(), "--label", "target", "--steps", "3", "--out", output);
        Assert.True(code == 0, error);
        var centre = File.ReadAllLines(Path.Combine(output, "landscape.csv"))[2].Split(',');
        Assert.Equal("0", centre[0]);
        Assert.Equal(0.01, double.Parse(centre[1], CultureInfo.InvariantCulture), 6);
    }

    [Fact]
    public void AStateDictThatDoesNotFitGivesOneLineNamingEachTensorAndExitCode2()
    {
        var (code, output, error) = CliRunner.Run("score", "--model", Path.Combine(Fixtures, "fcnn_wrong.pt"), "--architecture", "fcnn:10-8-8-1:elu",
            "--data", OffsetData(), "--label", "target", "--measure", "weight-l2-norm");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("fcnn_wrong.pt", line);
        Assert.Contains("tensor 'fc2.weight' is [4, 8], but fcnn:10-8-8-1:elu's layers.1.weight is [8, 8]", line);
        Assert.Contains("missing tensor 'fc3.bias' [1]", line);
        Assert.Contains("unexpected tensor 'fc3.scale' [3]", line);
    }

    [Fact]
    public void SelectRanksStateDictsAndSafetensorsOfOneArchitecture()
    {
        // The same weights twice, as .pt and re-saved under other names: one value, two rows.
        var copy = Path.Combine(folder, "copy.pt");
        File.Copy(Path.Combine(Fixtures, "fcnn.pt"), copy);
        var (code, output, error) = CliRunner.Run("select", "--model", Path.Combine(Fixtures, "fcnn.pt"), "--model", copy,
            "--architecture", "fcnn:10-64-64-1:elu", "--data", OffsetData(), "--label", "target", "--measure", "weight-l2-norm", "--format", "json");
        Assert.True(code == 0, error);
        var ranking = JsonDocument.Parse(output).RootElement.GetProperty("ranking").EnumerateArray().ToList();
        Assert.Equal(2, ranking.Count);
        Assert.Equal(ranking[0].GetProperty("value").GetDouble(), ranking[1].GetProperty("value").GetDouble());
        Assert.Equal(0.01, ranking[0].GetProperty("loss").GetDouble(), 6);
    }

    [Theory]
    [InlineData("fcnn:10-64-1:elu", "tensor 'fc2.weight' is [64, 64], but fcnn:10-64-1:elu's layers.1.weight is [1, 64]")]
    [InlineData("fcnn:12-64-64-1:elu", "has 10 features per example, but --architecture fcnn:12-64-64-1:elu takes 12")]
    [InlineData("resnet", "Unknown --architecture 'resnet'")]
    public void WrongArchitecturesGiveOneLineAndExitCode2(string architecture, string message)
    {
        var (code, _, error) = CliRunner.Run("score", "--model", Path.Combine(Fixtures, "fcnn.pt"), "--architecture", architecture,
            "--data", OffsetData(), "--label", "target");
        Assert.Equal(2, code);
        Assert.Contains(message, Assert.Single(error.Trim().Split('\n')));
    }
}
