using SharpnessML.Trainers;
using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.Optimizers;

public class SharpnessAwareBatchNormTests
{
    private static nn.Module<Tensor, Tensor> Network() => TorchRuntime.Seeded(3, () =>
        nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1)));

    private static (Tensor X, Tensor Y) Batch()
    {
        using var generator = new torch.Generator(11);
        return (torch.randn(new long[] { 8, 3 }, generator: generator), torch.randn(new long[] { 8, 1 }, generator: generator));
    }

    private static Tensor[] Buffers(nn.Module module) => module.buffers().Select(b => b.detach().clone()).ToArray();

    private static Tensor[] BuffersAfterOneStep(SharpnessAwareKind kind, bool protectBuffers)
    {
        using var network = Network();
        network.train();
        var (x, y) = Batch();
        var options = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, SharpnessAware = kind };
        using var optimizer = OptimizerFactory.Create(network.parameters(), options, protectBuffers ? network : null);
        optimizer.step(() =>
        {
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(network.call(x), y);
            loss.backward();
            return loss;
        });
        return Buffers(network);
    }

    [Theory]
    [InlineData(SharpnessAwareKind.Sam)]
    [InlineData(SharpnessAwareKind.Asam)]
    [InlineData(SharpnessAwareKind.Gsam)]
    public void RunningStatisticsAfterOneStepEqualThoseAfterOnePlainForward(SharpnessAwareKind kind)
    {
        Tensor[] expected;
        using (var network = Network())
        {
            network.train();
            var (x, _) = Batch();
            using (torch.no_grad()) network.call(x);
            expected = Buffers(network);
        }
        var actual = BuffersAfterOneStep(kind, protectBuffers: true);
        Assert.Equal(3, expected.Length); // running_mean, running_var, num_batches_tracked
        for (int i = 0; i < expected.Length; i++)
            Assert.True(TensorAssert.SameValues(expected[i], actual[i]), $"buffer {i} differs");

        // Without the module the second pass updates them again: the check above is not vacuous.
        var unprotected = BuffersAfterOneStep(kind, protectBuffers: false);
        Assert.False(TensorAssert.SameValues(expected[2], unprotected[2]));
        Assert.False(TensorAssert.SameValues(expected[0], unprotected[0]));
    }
}
