using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Perturbation;

public class ParameterFilterTests
{
    private static nn.Module<Tensor, Tensor> SmallNet() => nn.Sequential(
        ("fc1", nn.Linear(4, 6)), ("bn", nn.BatchNorm1d(6)), ("relu", nn.ReLU()), ("fc2", nn.Linear(6, 3)));

    [Fact]
    public void FiltersSelectByRoleTypeAndName()
    {
        var net = SmallNet();
        Assert.Equal(new[] { "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias" }, ParameterFilter.All.Select(net).Select(p => p.Name));
        Assert.Equal(new[] { "fc1.weight", "bn.weight", "fc2.weight" }, new ParameterFilter { ExcludeBiases = true }.Select(net).Select(p => p.Name));
        Assert.Equal(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, new ParameterFilter { ExcludeNormalization = true }.Select(net).Select(p => p.Name));
        Assert.Equal(new[] { "fc2.weight", "fc2.bias" }, new ParameterFilter { IncludePattern = "^fc2\\." }.Select(net).Select(p => p.Name));
        Assert.Equal(new[] { "fc1.bias", "bn.bias", "fc2.bias" }, new ParameterFilter { ExcludePattern = "weight$" }.Select(net).Select(p => p.Name));
        var e = Assert.Throws<ArgumentException>(() => new ParameterFilter { IncludePattern = "nothing" }.Select(net));
        Assert.Contains("leaves no parameter", e.Message);
    }

    [Fact]
    public void ExcludedParametersAreNeverPerturbedAndStillRestored()
    {
        using var scope = torch.NewDisposeScope();
        var net = SmallNet();
        using var g = new torch.Generator(1);
        var data = new SupervisedTensors(torch.randn(32, 4, generator: g), torch.randint(0, 3, 32, generator: g));
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy)
            .WithParameters(new ParameterFilter { ExcludeNormalization = true, ExcludeBiases = true });
        Assert.Equal(2, landscape.Parameters.Count);
        var metrics = WorstCaseSharpness.Estimate(landscape, new WorstCaseSharpnessOptions { Batches = 2, Rho = 0.1 });
        Assert.True(metrics.Sharpness > 0);
    }

    [Fact]
    public void NormalisedLogitsMakeTheLossBlindToTheLogitScale()
    {
        using var scope = torch.NewDisposeScope();
        var a = SmallNet();
        var b = SmallNet();
        b.load_state_dict(a.state_dict());
        using (torch.no_grad())
        {
            var last = (TorchSharp.Modules.Linear)b.named_modules().Single(m => m.name == "fc2").module;
            last.weight!.mul_(10);
            last.bias!.mul_(10);
        }
        a.eval();
        b.eval();
        using var g = new torch.Generator(2);
        var data = new SupervisedTensors(torch.randn(16, 4, generator: g), torch.randint(0, 3, 16, generator: g));
        using var _ = torch.no_grad();
        double Loss(nn.Module<Tensor, Tensor> net, bool normalize) => LossLandscape.ForSupervised(net, data, LossFunction.CrossEntropy, normalizeLogits: normalize).Loss().item<float>();
        Assert.Equal(Loss(a, true), Loss(b, true), 1e-5); // a tolerance: rounding both to 5 places can split values 1e-7 apart
        Assert.NotEqual(Loss(a, false), Loss(b, false), 2);
        Assert.Throws<ArgumentException>(() => LossLandscape.ForSupervised(a, data, LossFunction.MeanSquaredError, normalizeLogits: true));
    }
}
