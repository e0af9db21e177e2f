using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;
using TorchSharp;

namespace SharpnessML.Transforms.Tests.Evaluation;

/// <summary>
/// Issue 16: a network with NaN or infinite weights (a diverged member of a study) is measured only by measures that
/// define a value for it: every built-in measure returns a result — NaN where the loss landscape has no value — and
/// none throws (the eigensolvers threw IndexOutOfRangeException from MathNet) or gives a number for it (PAC-Bayes gave 268435456).
/// </summary>
public sealed class NonFiniteWeightsTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void EveryMeasureOfANonFiniteNetworkIsNaNOrAWeightNormAndNoneThrows(double bad)
    {
        using var scope = torch.NewDisposeScope();
        var data = TestModels.SyntheticRegression(40, 3, seed: 1);
        var net = TestModels.TrainedMlp(data, new[] { 3, 4, 1 }, seed: 2, steps: 5);
        using (torch.no_grad()) net.parameters().First()[0, 0] = torch.tensor((float)bad);
        var landscape = LossLandscape.ForSupervised(net, data, LossFunction.MeanSquaredError);
        var settings = new MeasureSettings(Seed: 0, Batches: 1, Steps: 2, BatchSize: 16);
        foreach (var name in MeasureRegistry.BuiltIn.Names)
        {
            var result = MeasureRegistry.BuiltIn.Measure(name, landscape, settings);
            // The norms of non-finite weights (the Fisher-Rao norm ⟨θ, ∇ℓ⟩ among them) are not finite; everything that
            // compares losses has no value.
            if (name.StartsWith("weight-", StringComparison.Ordinal) || name is "log-prod-of-fro" or "fisher-rao")
                Assert.False(double.IsFinite(result.Value), $"{name} gave {result.Value}");
            else
                Assert.True(double.IsNaN(result.Value), $"{name} gave {result.Value}");
        }
    }
}
