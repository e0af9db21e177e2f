using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Cli.Scoring;

namespace SharpnessML.Cli.Tests.Commands;

[Collection("Console")]
public sealed class SelectCommandTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
    private static readonly string TorchScript = Path.Combine(Fixtures, "fcnn.pt");
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-select-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Saves the 4-3-1 network rescaled by <paramref name="alpha"/> (see <see cref="RescaledMlp"/>) as a model file.</summary>
    private string SaveRescaled(double alpha, string? into = null)
    {
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var path = Path.Combine(into ?? folder, $"alpha{alpha.ToString(CultureInfo.InvariantCulture)}.zip");
        ml.Sharpness().Model.Save(RescaledMlp.Model(ml, raw, alpha), raw.Schema, path);
        return path;
    }

    private static List<JsonElement> Ranking(string json, out string selected)
    {
        var root = JsonDocument.Parse(json).RootElement;
        selected = root.GetProperty("selected").GetString()!;
        return root.GetProperty("ranking").EnumerateArray().ToList();
    }

    [Fact]
    public void TwoModelFilesAreRankedByTheirExactHessianTrace()
    {
        var sharp = SaveRescaled(3);
        var flat = SaveRescaled(1);
        var (code, output, error) = CliRunner.Run("select", "--model", sharp, "--model", flat, "--data", RescaledMlp.Csv,
            "--label", "target", "--measure", "hessian-trace", "--format", "json");
        Assert.True(code == 0, error);
        var ranking = Ranking(output, out var selected);
        Assert.True(RescaledMlp.ExactTrace(1) < RescaledMlp.ExactTrace(3));
        Assert.Equal("alpha1.zip", selected);
        Assert.Equal(new[] { "alpha1.zip", "alpha3.zip" }, ranking.Select(r => r.GetProperty("model").GetString()));
        Assert.Equal(new[] { 1, 2 }, ranking.Select(r => r.GetProperty("rank").GetInt32()));
        foreach (var (row, alpha) in ranking.Zip(new[] { 1.0, 3.0 }))
        {
            double exact = RescaledMlp.ExactTrace(alpha);
            Assert.Equal(exact, row.GetProperty("value").GetDouble(), 1e-4 * exact);
        }
        Assert.Equal(ranking[0].GetProperty("loss").GetDouble(), ranking[1].GetProperty("loss").GetDouble(), 1e-6);
    }

    [Fact]
    public void AModelsDirMixesModelFilesAndTorchScriptAndTheTorchScriptTraceMatchesPyTorch()
    {
        var dir = Directory.CreateDirectory(Path.Combine(folder, "pool")).FullName;
        SaveRescaled(1, dir);
        SaveRescaled(0.5, dir);
        File.Copy(TorchScript, Path.Combine(dir, "fcnn.pt"));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a candidate");

        var (code, output, error) = CliRunner.Run("select", "--models-dir", dir, "--data", RescaledMlp.Csv, "--label", "target",
            "--loss", "mse", "--measure", "hessian-trace", "--format", "csv");
        Assert.True(code == 0, error);
        var lines = output.Trim().Split('\n').Select(l => l.Trim().Split(',')).ToList();
        Assert.Equal(new[] { "rank", "model", "value", "stderr", "loss" }, lines[0]);
        var rows = lines.Skip(1).ToDictionary(l => l[1]);
        Assert.Equal(new[] { "alpha0.5.zip", "alpha1.zip", "fcnn.pt" }, rows.Keys.Order());
        var values = rows.Values.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(values.Order(), values); // listed flattest first
        Assert.Equal(new[] { "1", "2", "3" }, rows.Values.Select(r => r[0]));

        // The TorchScript candidate's numbers are PyTorch's dense-Hessian reference (make_reference.py).
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;
        double trace = reference.GetProperty("trace").GetDouble();
        Assert.Equal(trace, double.Parse(rows["fcnn.pt"][2], CultureInfo.InvariantCulture), 1e-3 * trace);
        Assert.Equal(reference.GetProperty("loss").GetDouble(), double.Parse(rows["fcnn.pt"][4], CultureInfo.InvariantCulture), 5);
        double half = RescaledMlp.ExactTrace(0.5);
        Assert.Equal(half, double.Parse(rows["alpha0.5.zip"][2], CultureInfo.InvariantCulture), 1e-4 * half);
    }

    [Fact]
    public void AModelWhoseChainDerivesItsLabelFromTheLabelColumnIsAccepted()
    {
        // As the Abalone pipeline standardises Rings into Label: the network reads 'Label', the CSV has 'target'.
        var ml = new MLContext(seed: 0);
        var raw = RescaledMlp.Load(ml);
        var net = RescaledMlp.Network(ml, 1);
        var derived = new TorchNetworkTransformer(ml, net.Spec, net.Network, net.Task, net.Loss, "Features", "Label");
        var chain = new TransformerChain<ITransformer>(
            ml.Transforms.Concatenate("Features", "a", "b", "c", "d").Append(ml.Transforms.CopyColumns("Label", "target")).Fit(raw), derived);
        var path = Path.Combine(folder, "derived.zip");
        ml.Sharpness().Model.Save(chain, raw.Schema, path);

        var (code, output, error) = CliRunner.Run("select", "--model", path, "--model", SaveRescaled(3), "--data", RescaledMlp.Csv,
            "--label", "target", "--measure", "hessian-trace", "--format", "json");
        Assert.True(code == 0, error);
        var ranking = Ranking(output, out var selected);
        Assert.Equal("derived.zip", selected);
        Assert.Equal(RescaledMlp.ExactTrace(1), ranking[0].GetProperty("value").GetDouble(), 1e-4 * RescaledMlp.ExactTrace(1));
    }

    [Fact]
    public void TheTableNamesTheSelectedModel()
    {
        var flat = SaveRescaled(1);
        var sharp = SaveRescaled(3);
        var (code, output, error) = CliRunner.Run("select", "--model", sharp, "--model", flat, "--data", RescaledMlp.Csv,
            "--label", "target", "--measure", "hessian-trace");
        Assert.True(code == 0, error);
        Assert.Contains("selected: alpha1.zip (hessian-trace = ", output);
    }

    [Fact]
    public void AModelWhoseInputWidthDiffersFromTheDataIsNamed()
    {
        var csv = Path.Combine(folder, "narrow.csv");
        File.WriteAllLines(csv, new[] { "a,b,c,target", "1,2,3,4", "2,3,4,5" });
        var (code, _, error) = CliRunner.Run("select", "--model", TorchScript, "--data", csv, "--label", "target",
            "--loss", "mse", "--measure", "hessian-trace");
        Assert.Equal(2, code);
        Assert.Contains(TorchScript, error);
        Assert.Contains("does not accept inputs with 3 features", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void AnUnknownMeasureIsRefusedListingTheKnownOnes()
    {
        var (code, _, error) = CliRunner.Run("select", "--model", TorchScript, "--data", RescaledMlp.Csv, "--label", "target",
            "--loss", "mse", "--measure", "flattest");
        Assert.Equal(2, code);
        Assert.Contains("Unknown measure 'flattest'", error);
        Assert.Contains("hessian-trace", error);
    }

    [Fact]
    public void NoCandidateIsRefused()
    {
        var (code, _, error) = CliRunner.Run("select", "--data", RescaledMlp.Csv, "--label", "target", "--measure", "hessian-trace");
        Assert.Equal(2, code);
        Assert.Contains("--model FILE", error);

        var empty = Directory.CreateDirectory(Path.Combine(folder, "empty")).FullName;
        (code, _, error) = CliRunner.Run("select", "--models-dir", empty, "--data", RescaledMlp.Csv, "--label", "target", "--measure", "hessian-trace");
        Assert.Equal(2, code);
        Assert.Contains("holds no .zip or .pt file", error);
    }

    [Fact]
    public void ATorchScriptCandidateWithoutLossIsNamed()
    {
        var flat = SaveRescaled(1);
        var (code, _, error) = CliRunner.Run("select", "--model", flat, "--model", TorchScript, "--data", RescaledMlp.Csv,
            "--label", "target", "--measure", "hessian-trace");
        Assert.Equal(2, code);
        Assert.Contains("--loss", error);
        Assert.Contains(TorchScript, error);
    }

    [Fact]
    public void ALibraryCallWithoutModelsIsRefused() =>
        Assert.Throws<ArgumentException>(() => SavedModelScorer.Select(Array.Empty<string>(), RescaledMlp.Csv, "target", null, "hessian-trace", new MeasureSettings()));
}
