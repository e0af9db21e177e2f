using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.TestKit;

/// <summary>A ReLU network without biases: f(x) = W_d relu(… relu(W_1 x)), positively homogeneous of degree d in its weights.</summary>
internal sealed class BiasFreeRelu : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers = new();

    public BiasFreeRelu(int[] sizes, int seed) : base(nameof(BiasFreeRelu))
    {
        TorchRuntime.Seeded(seed, () =>
        {
            for (int i = 0; i + 1 < sizes.Length; i++) layers.Add(nn.Linear(sizes[i], sizes[i + 1], hasBias: false, dtype: float64));
            return 0;
        });
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].call(x);
            if (i + 1 < layers.Count) x = nn.functional.relu(x);
        }
        return x;
    }
}

internal static class BaselineTestModels
{
    /// <summary>Three overlapping Gaussian blobs in the plane, labels 0..2.</summary>
    public static SupervisedTensors Blobs(int n, int seed, ScalarType dtype = ScalarType.Float32)
    {
        using var g = new torch.Generator((ulong)seed);
        var labels = torch.randint(0, 3, new long[] { n }, generator: g, dtype: int64);
        var centers = torch.tensor(new double[] { 2, 0, -1, 1.7, -1, -1.7 }, new long[] { 3, 2 }, dtype: dtype);
        var x = centers.index_select(0, labels) + torch.randn(new long[] { n, 2 }, generator: g, dtype: dtype) * 0.9;
        return new SupervisedTensors(x, labels);
    }

    /// <summary>A ReLU MLP classifier trained with full-batch Adam on <paramref name="data"/>.</summary>
    public static MlpNetwork TrainedClassifier(SupervisedTensors data, int[] sizes, int seed, int steps = 100)
    {
        var net = (MlpNetwork)TorchRuntime.Seeded(seed, () => new MlpSpec(sizes, Activation.Relu).Build());
        if (data.Features.dtype == float64) net.to(float64);
        using var opt = optim.Adam(net.parameters(), 0.02);
        return TestModels.FullBatch(net, opt, data, LossFunction.CrossEntropy, steps);
    }

    /// <summary>
    /// Independent reference: mean over <paramref name="samples"/> draws (own generator) of the training
    /// accuracy (or loss) with w ← w + std(σ)·z, std = σ (plain) or √(σ²w² + ε²), and its standard error.
    /// </summary>
    public static (double Mean, double StandardError) PerturbedMean(nn.Module<Tensor, Tensor> net, SupervisedTensors data, LossFunction loss, bool accuracy,
        double sigma, bool magnitudeAware, double epsilon, int samples, int seed)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var parameters = net.parameters().ToList();
        var saved = parameters.Select(p => p.detach().clone()).ToList();
        using var g = new torch.Generator((ulong)seed);
        var values = new List<double>();
        for (int s = 0; s < samples; s++)
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                var w = saved[i];
                var std = magnitudeAware ? (w.square() * (sigma * sigma) + epsilon * epsilon).sqrt() : torch.full_like(w, sigma);
                parameters[i].copy_(w + std * torch.randn(w.shape, generator: g, dtype: w.dtype));
            }
            var output = net.call(data.Features);
            values.Add(accuracy
                ? output.argmax(1).eq(data.Labels).to(float64).mean().item<double>()
                : loss.Compute(output, data.Labels).to(float64).item<double>());
        }
        for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(saved[i]);
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (samples - 1) / samples));
    }

    /// <summary>Unperturbed training accuracy.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> net, SupervisedTensors data)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return net.call(data.Features).argmax(1).eq(data.Labels).to(float64).mean().item<double>();
    }

    /// <summary>Copies of every parameter, buffer and parameter gradient (empty when absent), for bit-for-bit comparisons.</summary>
    public static List<Tensor> State(nn.Module module) =>
        module.named_parameters().Select(p => p.parameter.detach().clone())
            .Concat(module.named_buffers().Select(b => b.buffer.detach().clone()))
            .Concat(module.parameters().Select(p => p.grad is null || p.grad.IsInvalid ? torch.empty(0) : p.grad.detach().clone()))
            .ToList();

    /// <summary>Asserts the module's parameters, buffers and gradients equal <paramref name="before"/> bit for bit.</summary>
    public static void AssertUnchanged(nn.Module module, List<Tensor> before)
    {
        var after = State(module);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++) Assert.True(TensorAssert.SameValues(before[i], after[i]), $"tensor {i} changed");
    }
}
