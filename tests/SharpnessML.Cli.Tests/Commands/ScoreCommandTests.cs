using System.Text.Json;
using SharpnessML.Cli;

namespace SharpnessML.Cli.Tests.Commands;

[Collection("Console")]
public sealed class ScoreCommandTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
    private static readonly string Model = Path.Combine(Fixtures, "fcnn.pt");
    private static readonly string Data = Path.Combine(Fixtures, "data.csv");
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-score-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void JsonOutputHasTheLossAndOneObjectPerMeasure()
    {
        var (code, output, error) = Run("score", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse",
            "--measure", "adaptive-worst-linf", "--measure", "standard-avg-l2", "--format", "json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var items = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { "loss", "adaptive-worst-linf", "standard-avg-l2" }, items.Select(i => i.GetProperty("measure").GetString()));
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;
        Assert.Equal(reference.GetProperty("loss").GetDouble(), items[0].GetProperty("value").GetDouble(), 5);
        Assert.True(items[1].GetProperty("value").GetDouble() > 0);
        Assert.Equal(0.025, items[1].GetProperty("details").GetProperty("rho").GetDouble());
    }

    [Fact]
    public void HessianMeasuresOfAPyTorchModelMatchPyTorchsDenseHessian()
    {
        // reference.json: dense Hessian of the MSE over data.csv computed by PyTorch 1.13 in float64
        // (make_reference.py in the same folder); our numbers come from TorchSharp on the TorchScript file.
        var (code, output, error) = Run("score", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse",
            "--measure", "hessian-trace", "--measure", "hessian-top-eigenvalues", "--format", "json");
        Assert.True(code == 0, error);
        var items = JsonDocument.Parse(output).RootElement.EnumerateArray().ToDictionary(i => i.GetProperty("measure").GetString()!);
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;
        AssertRelative(reference.GetProperty("trace").GetDouble(), items["hessian-trace"].GetProperty("value").GetDouble(), 1e-3);
        var expected = reference.GetProperty("top_eigenvalues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var actual = items["hessian-top-eigenvalues"].GetProperty("details").GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertRelative(expected[i], actual[i], 1e-3);
    }

    private static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected}, got {actual}");

    private string WriteCsv(string name, params string[] lines)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void ANonNumericCellIsNamedWithItsLine()
    {
        var csv = WriteCsv("bad.csv", "a,b,c,d,target", "1,2,3,4,5", "1,x,3,4,5");
        var (code, _, error) = Run("score", "--model", Model, "--data", csv, "--label", "target", "--loss", "mse", "--measure", "adaptive-worst-linf");
        Assert.NotEqual(0, code);
        Assert.Contains($"{csv}:3: column 'b' holds 'x'", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void AMissingLabelColumnIsNamed()
    {
        var (code, _, error) = Run("score", "--model", Model, "--data", Data, "--label", "rings", "--loss", "mse");
        Assert.NotEqual(0, code);
        Assert.Contains("no column 'rings'", error);
    }

    [Fact]
    public void AModelWhoseInputWidthDiffersFromTheDataIsRefusedWithoutACrash()
    {
        var csv = WriteCsv("wide.csv", "a,b,c,d,e,target", "1,2,3,4,5,6", "2,3,4,5,6,7");
        var (code, _, error) = Run("score", "--model", Model, "--data", csv, "--label", "target", "--loss", "mse");
        Assert.NotEqual(0, code);
        Assert.Contains("does not accept inputs with 5 features", error);
    }

    [Fact]
    public void AnUnknownMeasureIsRefusedListingTheKnownOnes()
    {
        var (code, _, error) = Run("score", "--model", Model, "--data", Data, "--label", "target", "--loss", "mse", "--measure", "flatness");
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown measure 'flatness'", error);
        Assert.Contains("adaptive-worst-linf", error);
    }

    [Fact]
    public void AnUnreadableModelIsRefusedNamingIt()
    {
        var model = WriteCsv("model.pt", "not a model");
        var (code, _, error) = Run("score", "--model", model, "--data", Data, "--label", "target", "--loss", "mse");
        Assert.NotEqual(0, code);
        Assert.Contains(model, error);
    }
}

[Collection("Console")]
public sealed class DensityPlotTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-density-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TheDensityPlotShowsPeaksAtTheReferenceEigenvalues()
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
        var png = Path.Combine(folder, "density.png");
        var (code, output, error) = CliRunner.Run("score", "--model", Path.Combine(fixtures, "fcnn.pt"), "--data", Path.Combine(fixtures, "data.csv"),
            "--label", "target", "--loss", "mse", "--density-plot", png, "--format", "json");
        Assert.True(code == 0, error);
        Assert.True(new FileInfo(png).Length > 10_000);
        var density = JsonDocument.Parse(output).RootElement.EnumerateArray().Single(i => i.GetProperty("measure").GetString() == "hessian-density");
        var grid = density.GetProperty("details").GetProperty("grid").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var values = density.GetProperty("details").GetProperty("density").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, "reference.json"))).RootElement;
        double top = reference.GetProperty("top_eigenvalues")[0].GetDouble();
        // The largest eigenvalue carries a visible peak: some grid point within 1% of λ_max has density above 1e-3.
        Assert.Contains(grid.Select((g, i) => (g, d: values[i])), p => Math.Abs(p.g - top) < 0.01 * top && p.d > 1e-3);
    }
}
