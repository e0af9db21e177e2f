using System.Text.Json;
using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Spectral;
using TorchSharp;

namespace SharpnessML.Cli.Tests.Commands;

/// <summary><c>score</c> without <c>--data</c>: data-free measures only (weight norms, spectral metrics).</summary>
[Collection("Console")]
public sealed class ScoreWithoutDataTests : IDisposable
{
    private static readonly string TorchScript = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript", "fcnn.pt");
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-score-nodata-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A 4-16-12-1 ReLU MLP model file; only its middle layer (12 eigenvalues) has the 10 the spectral fit needs.</summary>
    private string SaveMlp(out MlpNetwork network)
    {
        var ml = new MLContext(seed: 0);
        var raw = TestKit.RescaledMlp.Load(ml);
        var spec = new MlpSpec(new[] { 4, 16, 12, 1 }, Activation.Relu);
        network = TorchRuntime.Seeded(3, () => new MlpNetwork(spec));
        var transformer = new TorchNetworkTransformer(ml, spec, network, NetworkTask.Regression, LossFunction.MeanSquaredError, "Features", "target");
        var chain = new Microsoft.ML.Data.TransformerChain<ITransformer>(ml.Transforms.Concatenate("Features", "a", "b", "c", "d").Fit(raw), transformer);
        var path = Path.Combine(folder, "mlp.zip");
        ml.Sharpness().Model.Save(chain, raw.Schema, path);
        return path;
    }

    [Fact]
    public void SpectralMeasuresOfAModelFileNeedNoData()
    {
        var path = SaveMlp(out var network);
        var (code, output, error) = CliRunner.Run("score", "--model", path, "--measure", "alpha-weighted", "--measure", "stable-rank", "--format", "json");
        Assert.True(code == 0, error);
        var items = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { "alpha-weighted", "stable-rank" }, items.Select(i => i.GetProperty("measure").GetString()));
        var expected = SpectralAnalysis.Compute(network); // the same weights, in this process
        Assert.Equal(expected.AlphaWeighted, items[0].GetProperty("value").GetDouble(), 1e-9);
        Assert.Equal(expected.StableRank, items[1].GetProperty("value").GetDouble(), 1e-9);
        Assert.Equal("layers.1.weight", items[0].GetProperty("details").GetProperty("layers").GetString());
    }

    [Fact]
    public void TheEsdPlotShowsTheLargestLayersSpectrumAndAddsAlpha()
    {
        var path = SaveMlp(out _);
        var png = Path.Combine(folder, "esd.png");
        var (code, output, error) = CliRunner.Run("score", "--model", path, "--esd-plot", png, "--format", "csv");
        Assert.True(code == 0, error);
        Assert.Contains("alpha,", output); // the plot's fit is alpha's
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, $"{bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Single(Directory.GetFiles(folder, "esd.png*")); // no temporary file left

        // A model without a layer of 10 eigenvalues: one line, exit 2, no file.
        var tiny = CliRunner.Run("score", "--model", TorchScript, "--esd-plot", Path.Combine(folder, "none.png"));
        Assert.Equal(2, tiny.Code);
        Assert.False(File.Exists(Path.Combine(folder, "none.png")));
    }

    [Fact]
    public void AWeightNormOfATorchScriptFileNeedsNoData()
    {
        var (code, output, error) = CliRunner.Run("score", "--model", TorchScript, "--measure", "weight-l2-norm", "--format", "csv");
        Assert.True(code == 0, error);
        var withData = CliRunner.Run("score", "--model", TorchScript, "--data", TestKit.RescaledMlp.Csv, "--label", "target", "--loss", "mse",
            "--measure", "weight-l2-norm", "--format", "csv");
        Assert.True(withData.Code == 0, withData.Error);
        Assert.Equal(withData.Output.Split('\n').First(l => l.StartsWith("weight-l2-norm")), output.Split('\n').First(l => l.StartsWith("weight-l2-norm")));
    }

    [Theory]
    [InlineData("hessian-trace", "--data is required for measure 'hessian-trace'")]
    [InlineData("alpha", "No weight has at least 10 eigenvalues")] // fcnn.pt is 4-8-1
    public void AMeasureThatCannotRunGivesOneLineAndExitCodeTwo(string measure, string message)
    {
        var (code, output, error) = CliRunner.Run("score", "--model", TorchScript, "--measure", measure);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal("", output.Trim());
    }
}
