using System.Text.Json;
using SharpnessML.Trainers;
using SharpnessML.Trainers.ModelFiles;
using SharpnessML.Trainers.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.LeNet5;

public sealed class LeNet5NetworkTests
{
    [Theory]
    [InlineData("reference")]
    [InlineData("classic")]
    public void MapsFlatImagesToClassLogits(string preset)
    {
        var spec = preset == "reference" ? LeNet5Spec.Reference : LeNet5Spec.Classic;
        using var network = TorchRuntime.Seeded(0, spec.Build);
        using var scope = torch.NewDisposeScope();
        network.train();
        Assert.Equal(new long[] { 5, 10 }, network.call(torch.randn(5, 784)).shape);
        network.eval();
        Assert.Equal(new long[] { 3, 10 }, network.call(torch.randn(3, 784)).shape);
        Assert.Equal(784, spec.InputSize);
        Assert.Equal(10, spec.OutputSize);
    }

    [Fact]
    public void ClassicPresetHasTheHandCountedParameters()
    {
        // conv1 1→6, 5×5, padding 2:  6·1·25 + 6   =    156   (28×28 → 28×28, pooled to 14×14)
        // norm1 (γ, β):               2·6          =     12
        // conv2 6→16, 5×5:           16·6·25 + 16  =  2,416   (14×14 → 10×10, pooled to 5×5)
        // norm2:                      2·16         =     32
        // fc1 16·5·5 = 400 → 120:    400·120 + 120 = 48,120
        // fc2 120 → 84:              120·84 + 84   = 10,164
        // fc3 84 → 10:                84·10 + 10   =    850
        // total                                    = 61,750 (LeCun's 61,706 plus batch norm's 44)
        using var network = TorchRuntime.Seeded(0, LeNet5Spec.Classic.Build);
        Assert.Equal(61_750, network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ReferencePresetHasTheHandCountedParameters()
    {
        // conv1 1→12: 12·25 + 12 = 312; norm1 24; conv2 12→32: 32·12·25 + 32 = 9,632; norm2 64;
        // 28 → 24 → 12 → 8 → 4, so fc1 32·4·4 = 512 → 256: 131,328; fc2 256 → 128: 32,896; fc3 128 → 10: 1,290.
        using var network = TorchRuntime.Seeded(0, LeNet5Spec.Reference.Build);
        Assert.Equal(312 + 24 + 9_632 + 64 + 131_328 + 32_896 + 1_290, network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void EvaluationModeIsDeterministicAndTrainingModeDropsOut()
    {
        using var network = TorchRuntime.Seeded(0, LeNet5Spec.Reference.Build);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(8, 784);
        network.eval();
        Assert.Equal(network.call(x).data<float>().ToArray(), network.call(x).data<float>().ToArray());
        network.train();
        Assert.NotEqual(network.call(x).data<float>().ToArray(), network.call(x).data<float>().ToArray());
    }

    [Fact]
    public void SeededDropoutIgnoresLaterUseOfTheGlobalGenerator()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(1000);
        Tensor Mask(bool disturb)
        {
            using var dropout = TorchRuntime.Seeded(7, () => new SeededDropout(0.5));
            dropout.train();
            if (disturb) torch.manual_seed(12345);
            return dropout.call(x);
        }
        var first = Mask(disturb: false);
        var second = Mask(disturb: true);
        Assert.Equal(first.data<float>().ToArray(), second.data<float>().ToArray());
        // Kept values are scaled by 1 / (1 − p) = 2; about half are dropped.
        var values = first.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(values.Count(v => v == 0f), 400, 600);
    }

    [Fact]
    public void SpecRoundTripsThroughJsonAsANetworkSpec()
    {
        NetworkSpec spec = LeNet5Spec.Classic with { Classes = 7 };
        var json = JsonSerializer.Serialize(spec, SharpnessModelFile.Json);
        Assert.Contains("\"kind\": \"lenet5\"", json);
        var back = JsonSerializer.Deserialize<NetworkSpec>(json, SharpnessModelFile.Json);
        Assert.Equal(spec, back);
    }

    [Fact]
    public void TooSmallImagesAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => (LeNet5Spec.Reference with { ImageSize = 12 }).Build());
        Assert.Contains("12×12", e.Message);
    }
}
