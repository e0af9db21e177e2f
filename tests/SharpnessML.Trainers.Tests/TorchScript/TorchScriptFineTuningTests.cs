using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.TorchScript;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.TorchScript;

/// <summary>Fine-tuning the PyTorch 1.13 fixture (a 4-8-1 tanh FCNN saved with torch.jit.save) on its 40 rows.</summary>
public sealed class TorchScriptFineTuningTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "torchscript");
    private static readonly string Fcnn = Path.Combine(Fixtures, "fcnn.pt");
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-torchscript-").FullName;
    private readonly MLContext ml = new(seed: 0);
    private readonly ITestOutputHelper output;

    public TorchScriptFineTuningTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed class Row
    {
        [VectorType(4)] public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }

    private IDataView Data() => ml.Data.LoadFromEnumerable(File.ReadLines(Path.Combine(Fixtures, "data.csv")).Skip(1).Select(line =>
    {
        var v = line.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new Row { Features = v[..4], Label = v[4] };
    }).ToList());

    private static TorchScriptFineTuningOptions Options(int epochs = 20, int batch = 8, double learningRate = 0.05) => new()
    {
        ModelPath = Fcnn, MaxEpochs = epochs, BatchSize = batch, Seed = 3,
        Optimizer = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = learningRate },
    };

    private static float[][] Parameters(nn.Module module) => module.parameters().Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Fact]
    public void FineTuningLowersTheTrainingLossAndChangesTheParametersButNotTheFile()
    {
        var data = Data();
        using var original = TorchScriptNetwork.Load(Fcnn);
        using var tensors = SharpnessML.Trainers.Data.SupervisedTensors.FromDataView(data, "Features", "Label", SharpnessML.Trainers.Networks.NetworkTask.Regression);
        double before = NetworkEvaluation.Evaluate(original, tensors, LossFunction.MeanSquaredError).MeanLoss;

        using var tuned = ml.Regression.Trainers.FineTuneTorchScript(Options()).Fit(data);
        double after = NetworkEvaluation.Evaluate(tuned, data).MeanLoss;
        Assert.Equal(20, tuned.Training!.Epochs);
        Assert.Equal(20 * 5, tuned.Training.Steps);
        output.WriteLine($"training MSE {before:G6} → {after:G6} after 20 epochs of SGD (lr 0.05, batch 8)");
        Assert.True(after < 0.9 * before, $"MSE {before:G6} → {after:G6}");
        Assert.Equal(new TorchScriptSpec(4, 1), tuned.Spec);

        var (p0, p1) = (Parameters(original), Parameters(tuned.Network));
        Assert.Equal(4, p1.Length);
        Assert.All(p0.Zip(p1), pair => Assert.NotEqual(pair.First, pair.Second));
        using var reread = TorchScriptNetwork.Load(Fcnn);
        Assert.Equal(p0, Parameters(reread)); // the source file is left alone
    }

    [Fact]
    public void OneFullBatchSgdEpochIsExactlyOneGradientStep()
    {
        var data = Data();
        using var reference = TorchScriptNetwork.Load(Fcnn);
        using var tensors = SharpnessML.Trainers.Data.SupervisedTensors.FromDataView(data, "Features", "Label", SharpnessML.Trainers.Networks.NetworkTask.Regression);
        var loss = LossFunction.MeanSquaredError.Compute(reference.call(tensors.Features), tensors.Labels);
        var gradients = torch.autograd.grad(new[] { loss }, reference.parameters().ToArray());
        var expected = reference.parameters().Zip(gradients, (p, g) => (p.detach() - 0.1 * g).data<float>().ToArray()).ToArray();

        using var tuned = ml.Regression.Trainers.FineTuneTorchScript(Options(epochs: 1, batch: 40, learningRate: 0.1)).Fit(data);
        var actual = Parameters(tuned.Network);
        for (int i = 0; i < expected.Length; i++)
            Assert.All(expected[i].Zip(actual[i]), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
    }

    [Fact]
    public void AFineTunedModelReloadsWithIdenticalPredictionsAsTorchScriptAndAsAModelFile()
    {
        var data = Data();
        using var tuned = ml.Regression.Trainers.FineTuneTorchScript(Options(epochs: 5)).Fit(data);
        var expected = tuned.Transform(data).GetColumn<float>("Score").ToArray();

        var script = Path.Combine(folder, "tuned.pt");
        TorchScriptFineTuningTrainer.SaveTorchScript(tuned, script);
        using var reloaded = TorchScriptNetwork.Load(script);
        Assert.Equal(Parameters(tuned.Network), Parameters(reloaded));
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var x = torch.tensor(data.GetColumn<float[]>("Features").SelectMany(r => r).ToArray(), new long[] { 40, 4 });
            Assert.Equal(tuned.Predict(x).reshape(-1).data<float>().ToArray(), reloaded.call(x).reshape(-1).data<float>().ToArray());
        }

        var file = Path.Combine(folder, "tuned.zip");
        ml.Sharpness().Model.Save(tuned, data.Schema, file);
        Assert.IsType<TorchScriptSpec>(SharpnessModelFile.ReadManifest(file).Network);
        var loaded = ml.Sharpness().Model.Load(file, out _);
        Assert.Equal(expected, loaded.Transform(data).GetColumn<float>("Score").ToArray());
        Assert.Equal(LossFunction.MeanSquaredError, loaded.GetNetwork().Loss);
    }

    [Fact]
    public void TheSameSeedFineTunesToTheSameWeights()
    {
        var data = Data();
        using var a = ml.Regression.Trainers.FineTuneTorchScript(Options(epochs: 3)).Fit(data);
        using var b = ml.Regression.Trainers.FineTuneTorchScript(Options(epochs: 3)).Fit(data);
        var other = Options(epochs: 3);
        other.Seed = 4;
        using var c = ml.Regression.Trainers.FineTuneTorchScript(other).Fit(data);
        Assert.Equal(Parameters(a.Network), Parameters(b.Network));
        Assert.NotEqual(Parameters(a.Network), Parameters(c.Network));
    }

    [Fact]
    public void AModelWithTheWrongWidthOrOutputsIsRefused()
    {
        Assert.Throws<FileNotFoundException>(() => ml.Regression.Trainers.FineTuneTorchScript(Path.Combine(folder, "missing.pt")));
        var classifier = ml.MulticlassClassification.Trainers.FineTuneTorchScript(Fcnn);
        var rows = ml.Data.LoadFromEnumerable(new[] { new Row { Features = new float[4], Label = 2 } });
        var e = Assert.Throws<ArgumentException>(() => classifier.Fit(rows));
        Assert.Contains("outputs", e.Message);
    }
}
