using Microsoft.ML;
using Microsoft.ML.Data;
using SharpnessML.Trainers;
using SharpnessML.Trainers.DiagonalNetwork;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Transforms.Evaluation;
using TorchSharp;
using SharpnessML.Datasets;

namespace SharpnessML.Trainers.Tests.DiagonalNetwork;

public sealed class DiagonalNetworkTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sharpnessml-dln-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TheNetworkPredictsXTimesUHadamardV()
    {
        using var scope = torch.NewDisposeScope();
        var net = new DiagonalLinearNetwork(new DiagonalNetworkSpec(3, 0.5));
        using (torch.no_grad())
        {
            net.U.copy_(torch.tensor(new[] { 1f, 2f, 3f }));
            net.V.copy_(torch.tensor(new[] { 0.5f, -1f, 2f }));
        }
        var y = net.call(torch.tensor(new[] { 1f, 1f, 1f, 2f, 0f, -1f }, new long[] { 2, 3 }));
        // β = (0.5, −2, 6): rows give 4.5 and 1 − 6 = −5.
        Assert.Equal(new[] { 4.5f, -5f }, y.reshape(-1).data<float>().ToArray());
    }

    [Fact]
    public void TrainingOnSparseRegressionRecoversTheSparseBetaAndRoundTripsThroughTheModelFile()
    {
        var ml = new MLContext(seed: 0);
        var (data, beta) = SparseRegression.Generate(ml, examples: 200, features: 20, nonZero: 3, noise: 0.01, seed: 1);
        var options = new DiagonalNetworkOptions { MaxEpochs = 60, Seed = 2 };
        options.Optimizer.Kind = OptimizerKind.Adam;
        options.Optimizer.LearningRate = 0.02;
        var model = ml.Regression.Trainers.DiagonalLinearNetwork(options).Fit(data);
        var learned = ((DiagonalLinearNetwork)model.Network).Beta().data<float>().ToArray();
        for (int j = 0; j < beta.Length; j++)
            Assert.True(Math.Abs(learned[j] - beta[j]) < 0.1, $"β[{j}] = {learned[j]}, expected {beta[j]}");

        var path = Path.Combine(folder, "dln.zip");
        ml.Sharpness().Model.Save(model, data.Schema, path);
        var loaded = ml.Sharpness().Model.Load(path, out _);
        Assert.Equal(model.Transform(data).GetColumn<float>("Score").ToArray(), loaded.Transform(data).GetColumn<float>("Score").ToArray());
    }

    [Fact]
    public void BadSettingsAreRefusedNamingThem()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DiagonalNetworkOptions { InitScale = 0 }.Validate());
        Assert.Equal("InitScale", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseRegression.Generate(new MLContext(), 10, 5, 6, 0.1, 0));
    }
}
