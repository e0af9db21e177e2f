using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Baselines;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Baselines;

public class WeightNormsTests
{
    private static readonly double[] W0 = { 1, -2, 3, 0, 0.5, -1 };   // [3, 2]
    private static readonly double[] B0 = { 0.25, -0.75, 2 };         // [3]
    private static readonly double[] W1 = { -3, 4, 1.5 };             // [1, 3]
    private static readonly double[] B1 = { -0.5 };                   // [1]

    private static MlpNetwork KnownNetwork()
    {
        var net = (MlpNetwork)new MlpSpec(new[] { 2, 3, 1 }, Activation.Relu).Build();
        using var _ = torch.no_grad();
        net.Layers[0].weight!.copy_(torch.tensor(W0, new long[] { 3, 2 }));
        net.Layers[0].bias!.copy_(torch.tensor(B0));
        net.Layers[1].weight!.copy_(torch.tensor(W1, new long[] { 1, 3 }));
        net.Layers[1].bias!.copy_(torch.tensor(B1));
        return net;
    }

    private static double SumSquares(params double[][] arrays) => arrays.SelectMany(a => a).Sum(v => v * v);

    [Fact]
    public void NormsMatchTheHandComputation()
    {
        using var scope = torch.NewDisposeScope();
        var net = KnownNetwork();
        var data = BaselineTestModels.Blobs(4, seed: 1);
        var landscape = LossLandscape.ForSupervised(net, new(data.Features, data.Labels.to(float32)), LossFunction.MeanSquaredError);
        var before = BaselineTestModels.State(net);
        var m = WeightNorms.Compute(landscape, new WeightNormOptions());

        Assert.Equal(Math.Sqrt(SumSquares(W0, B0, W1, B1)), m.L2, 1e-12);
        Assert.Equal(new[] { W0, B0, W1, B1 }.SelectMany(a => a).Sum(Math.Abs), m.L1, 1e-12);
        Assert.Equal(Math.Log(SumSquares(W0)) + Math.Log(SumSquares(W1)), m.LogProductOfFrobenius, 1e-12);
        Assert.Equal(2, m.Depth);
        Assert.Equal(13, m.ParameterCount);
        BaselineTestModels.AssertUnchanged(net, before);

        var weightsOnly = WeightNorms.Compute(landscape, new WeightNormOptions { Parameters = new ParameterFilter { ExcludeBiases = true } });
        Assert.Equal(Math.Sqrt(SumSquares(W0, W1)), weightsOnly.L2, 1e-12);
        Assert.Equal(m.LogProductOfFrobenius, weightsOnly.LogProductOfFrobenius, 1e-12);
    }

    [Fact]
    public void DepthCountsTensorsWithTwoOrMoreDimensions()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(2, WeightNorms.Depth(new[] { torch.zeros(3, 2), torch.zeros(3), torch.zeros(4, 3, 3, 3), torch.zeros(1) }));
    }
}
