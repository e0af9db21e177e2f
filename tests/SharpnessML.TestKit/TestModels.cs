using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.TestKit;

/// <summary>A module that only holds one parameter vector; the loss is supplied separately.</summary>
internal sealed class ParameterHolder : nn.Module<Tensor, Tensor>
{
    public ParameterHolder(Tensor initial) : base(nameof(ParameterHolder))
    {
        W = new Parameter(initial.clone());
        RegisterComponents();
    }

    public Parameter W { get; }

    public override Tensor forward(Tensor input) => input;
}

internal static class TestModels
{
    /// <summary>L(w) = ½ wᵀAw as a landscape over a single parameter vector.</summary>
    public static (LossLandscape Landscape, ParameterHolder Module) Quadratic(Tensor a, Tensor w0)
    {
        var module = new ParameterHolder(w0);
        var landscape = new LossLandscape(module, new[] { module.W }, _ => 0.5 * module.W.matmul(a.matmul(module.W)), 1);
        return (landscape, module);
    }

    /// <summary>A symmetric matrix Q diag(eigenvalues) Qᵀ with a seeded random orthogonal Q.</summary>
    public static Tensor SymmetricWithSpectrum(double[] eigenvalues, int seed, ScalarType dtype = ScalarType.Float64)
    {
        using var g = new torch.Generator((ulong)seed);
        var (q, _) = torch.linalg.qr(torch.randn(eigenvalues.Length, eigenvalues.Length, generator: g, dtype: float64));
        var d = torch.diag(torch.tensor(eigenvalues, dtype: float64));
        return q.matmul(d).matmul(q.t()).to(dtype);
    }

    /// <summary>Synthetic regression data y = sin(x·u) + 0.1·noise, [n, d] features.</summary>
    public static SupervisedTensors SyntheticRegression(int n, int d, int seed)
    {
        using var g = new torch.Generator((ulong)seed);
        var x = torch.randn(n, d, generator: g);
        var u = torch.randn(d, generator: g) / Math.Sqrt(d);
        var y = torch.sin(x.matmul(u) * 2) + 0.1f * torch.randn(n, generator: g);
        return new SupervisedTensors(x, y);
    }

    /// <summary>A ReLU MLP with seeded initialisation, trained for a few full-batch steps so the gradient is not tiny.</summary>
    public static MlpNetwork TrainedMlp(SupervisedTensors data, int[] sizes, int seed, int steps = 200)
    {
        var net = (MlpNetwork)global::SharpnessML.Trainers.TorchRuntime.Seeded(seed, () => new MlpSpec(sizes, Activation.Relu).Build());
        using var opt = optim.SGD(net.parameters(), 0.05);
        return FullBatch(net, opt, data, LossFunction.MeanSquaredError, steps);
    }

    /// <summary>Full-batch training steps of <paramref name="net"/>; leaves it in evaluation mode.</summary>
    public static T FullBatch<T>(T net, optim.Optimizer opt, SupervisedTensors data, LossFunction loss, int steps) where T : nn.Module<Tensor, Tensor>
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            loss.Compute(net.call(data.Features), data.Labels).backward();
            opt.step();
        }
        net.eval();
        return net;
    }
}

internal static class TensorAssert
{
    /// <summary>Same shape, dtype and every element equal.</summary>
    public static bool SameValues(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && torch.equal(a, b).all().item<bool>();
}
