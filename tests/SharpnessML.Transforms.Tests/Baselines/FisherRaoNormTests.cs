using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Baselines;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Baselines;

public class FisherRaoNormTests
{
    /// <summary>A float64 problem: a 3-layer ReLU MLP (d = 3) on blobs (cross-entropy) or on a regression target (MSE).</summary>
    private static (MlpNetwork Net, SupervisedTensors Data) Problem(LossFunction loss)
    {
        var blobs = BaselineTestModels.Blobs(23, seed: 4, dtype: float64);
        var data = loss == LossFunction.CrossEntropy
            ? blobs
            : new SupervisedTensors(blobs.Features, torch.sin(blobs.Features.sum(1)));
        int outputs = loss == LossFunction.CrossEntropy ? 3 : 1;
        var net = (MlpNetwork)SharpnessML.Trainers.TorchRuntime.Seeded(11, () => new MlpSpec(new[] { 2, 6, 5, outputs }, Activation.Relu).Build());
        net.to(float64);
        return (net, data);
    }

    /// <summary>⟨w, ∇_w ℓ_i⟩ computed one example at a time with autograd.grad.</summary>
    private static double[] OneByOne(SupervisedProblem problem, IReadOnlyList<Parameter> parameters)
    {
        var result = new double[problem.ExampleCount];
        for (int i = 0; i < result.Length; i++)
        {
            using var scope = torch.NewDisposeScope();
            var loss = problem.PerExampleLosses(torch.tensor(new long[] { i })).sum();
            var grads = torch.autograd.grad(new[] { loss }, parameters.Cast<Tensor>().ToArray());
            result[i] = grads.Select((g, k) => (g * parameters[k].detach()).sum().item<double>()).Sum();
        }
        return result;
    }

    [Theory]
    [InlineData(LossFunction.CrossEntropy)]
    [InlineData(LossFunction.MeanSquaredError)]
    public void DoubleBackwardEqualsPerExampleGradientsDottedWithTheWeights(LossFunction lossFunction)
    {
        using var scope = torch.NewDisposeScope();
        var (net, data) = Problem(lossFunction);
        var problem = new SupervisedProblem(net, data, lossFunction);
        var parameters = net.parameters().ToList();
        var expected = OneByOne(problem, parameters);
        var actual = FisherRaoNorm.InnerProducts(problem.PerExampleLosses(), parameters).data<double>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-10);
        Assert.Contains(expected, v => Math.Abs(v) > 1e-3); // not trivially zero
    }

    [Fact]
    public void TheMeasureIsDepthPlusOneSquaredTimesTheMeanSquaredInnerProduct()
    {
        using var scope = torch.NewDisposeScope();
        var (net, data) = Problem(LossFunction.CrossEntropy);
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy);
        var innerProducts = OneByOne(landscape.Supervised!, landscape.Parameters);
        double expected = 16.0 * innerProducts.Average(v => v * v); // d = 3 weight matrices → (d + 1)² = 16
        var metrics = FisherRaoNorm.Compute(landscape, new FisherRaoNormOptions { ChunkSize = 7 });
        Assert.Equal(3, metrics.Depth);
        Assert.Equal(23, metrics.Examples);
        Assert.Null(metrics.StandardError);
        Assert.Equal(expected, metrics.Value, expected * 1e-10);
        Assert.Equal(expected / 16, metrics.MeanSquaredInnerProduct, expected * 1e-10);
    }

    [Fact]
    public void ForABiasFreeReluNetworkTheInnerProductIsDepthTimesTheOutput()
    {
        // Positive homogeneity: f(αw) = α^d f(w), so ⟨w, ∇_w f(x)⟩ = d·f(x), and for ℓ = (f − y)², ⟨w, ∇ℓ⟩ = 2(f − y)·d·f.
        using var scope = torch.NewDisposeScope();
        var net = new BiasFreeRelu(new[] { 3, 8, 8, 1 }, seed: 2);
        using var g = new torch.Generator(9);
        var x = torch.randn(new long[] { 17, 3 }, generator: g, dtype: float64);
        var y = torch.randn(new long[] { 17 }, generator: g, dtype: float64);
        var parameters = net.parameters().ToList();

        var f = net.call(x).reshape(-1);
        var jw = FisherRaoNorm.InnerProducts(f, parameters);
        Assert.True(torch.allclose(jw, 3 * f.detach(), rtol: 1e-12, atol: 1e-12));

        var landscape = LossLandscape.ForSupervised(net, new SupervisedTensors(x, y), LossFunction.MeanSquaredError);
        var metrics = FisherRaoNorm.Compute(landscape, new FisherRaoNormOptions());
        var fd = f.detach();
        double expected = 16.0 * (2 * (fd - y) * 3 * fd).square().mean().item<double>();
        Assert.Equal(expected, metrics.Value, expected * 1e-10);
    }

    [Fact]
    public void ALandscapeWithoutASupervisedProblemGivesTheSameValueOneExampleAtATime()
    {
        using var scope = torch.NewDisposeScope();
        var (net, data) = Problem(LossFunction.CrossEntropy);
        var supervised = LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy);
        var plain = new LossLandscape(net, supervised.Parameters, i => supervised.Loss(i), supervised.ExampleCount);
        Assert.Null(plain.Supervised);
        var a = FisherRaoNorm.Compute(supervised, new FisherRaoNormOptions()).Value;
        var b = FisherRaoNorm.Compute(plain, new FisherRaoNormOptions()).Value;
        Assert.Equal(a, b, a * 1e-10);
    }

    [Fact]
    public void AnExampleSubsetIsSeededAndReportsAStandardError()
    {
        using var scope = torch.NewDisposeScope();
        var (net, data) = Problem(LossFunction.CrossEntropy);
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy);
        var a = FisherRaoNorm.Compute(landscape, new FisherRaoNormOptions { MaxExamples = 10, Seed = 3 });
        var b = FisherRaoNorm.Compute(landscape, new FisherRaoNormOptions { MaxExamples = 10, Seed = 3 });
        Assert.Equal(10, a.Examples);
        Assert.Equal(a.Value, b.Value);
        Assert.True(a.StandardError > 0);
    }

    [Fact]
    public void TheModelIsLeftBitForBitUnchanged()
    {
        using var scope = torch.NewDisposeScope();
        var (net, data) = Problem(LossFunction.CrossEntropy);
        net.train();
        var before = BaselineTestModels.State(net);
        FisherRaoNorm.Compute(LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy), new FisherRaoNormOptions { ChunkSize = 5 });
        BaselineTestModels.AssertUnchanged(net, before);
        Assert.True(net.training);
    }

    [Theory]
    [InlineData("Depth")]
    [InlineData("MaxExamples")]
    [InlineData("ChunkSize")]
    public void BadOptionsNameTheOption(string option)
    {
        var options = new FisherRaoNormOptions();
        switch (option)
        {
            case "Depth": options.Depth = -1; break;
            case "MaxExamples": options.MaxExamples = 0; break;
            case "ChunkSize": options.ChunkSize = 0; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(option, e.ParamName);
    }
}
