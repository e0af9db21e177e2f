using Normal = MathNet.Numerics.Distributions.Normal;
using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.TestKit;

/// <summary>Small models whose Hessians can be built densely, and matrices with known spectra.</summary>
internal static class HessianTestModels
{
    /// <summary>A module holding one parameter vector w, for closed-form losses.</summary>
    internal sealed class VectorModule : nn.Module
    {
        public VectorModule(double[] initial) : base(nameof(VectorModule))
        {
            W = new Parameter(torch.tensor(initial, dtype: float64));
            register_parameter("w", W);
        }

        public Parameter W { get; }
    }

    /// <summary>L(w) = ½ wᵀAw (A symmetric), whose Hessian is A everywhere.</summary>
    public static (LossLandscape Landscape, VectorModule Module) Quadratic(Matrix<double> a, int seed)
    {
        var rng = new Random(seed);
        var module = new VectorModule(Enumerable.Range(0, a.RowCount).Select(_ => rng.NextDouble() - 0.5).ToArray());
        var matrix = torch.tensor(a.ToArray(), dtype: float64);
        Tensor Loss(Tensor? _) => 0.5 * module.W.dot(matrix.mv(module.W));
        return (new LossLandscape(module, new[] { module.W }, Loss, 1), module);
    }

    /// <summary>A tanh MLP with cross-entropy on random data, in float64.</summary>
    public static (LossLandscape Landscape, MlpNetwork Module) Mlp(int[] sizes, int examples, int seed)
    {
        var module = TorchRuntime.Seeded(seed, () => new MlpNetwork(new MlpSpec(sizes, Activation.Tanh)));
        module.to(float64);
        var generator = new torch.Generator((ulong)seed);
        var x = torch.randn(new long[] { examples, sizes[0] }, dtype: float64, generator: generator);
        var y = torch.randint(0, sizes[^1], new long[] { examples }, dtype: int64, generator: generator);
        var data = new SupervisedTensors(x, y);
        return (LossLandscape.ForSupervised(module, data, LossFunction.CrossEntropy), module);
    }

    /// <summary>The 4-6-3 MLP (51 parameters) on 40 examples.</summary>
    public static (LossLandscape Landscape, MlpNetwork Module) TinyMlp(int seed = 1) => Mlp(new[] { 4, 6, 3 }, 40, seed);

    /// <summary>
    /// Conv(1→2, 3×3) → BatchNorm → tanh → Linear(18→3) with cross-entropy on random 5×5 images,
    /// float64 (81 parameters). BatchNorm has non-trivial running statistics and the module is left
    /// in training mode, so measures must switch to evaluation mode and back.
    /// </summary>
    public static (LossLandscape Landscape, nn.Module<Tensor, Tensor> Module) TinyCnn(int seed = 3)
    {
        var module = TorchRuntime.Seeded(seed, () => nn.Sequential(
            ("conv", nn.Conv2d(1, 2, 3)),
            ("bn", nn.BatchNorm2d(2)),
            ("tanh", nn.Tanh()),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(18, 3))));
        module.to(float64);
        var generator = new torch.Generator((ulong)seed);
        var x = torch.randn(new long[] { 30, 1, 5, 5 }, dtype: float64, generator: generator) * 2 + 0.5;
        var y = torch.randint(0, 3, new long[] { 30 }, dtype: int64, generator: generator);
        module.train();
        using (torch.no_grad())
            for (int i = 0; i < 3; i++) module.call(x);
        // Non-trivial affine parameters too.
        using (torch.no_grad())
            foreach (var (name, p) in module.named_parameters())
                if (name.StartsWith("bn", StringComparison.Ordinal)) p.add_(torch.randn(p.shape, dtype: float64, generator: generator) * 0.3);
        Tensor Loss(Tensor? indices)
        {
            var xs = indices is null ? x : x.index_select(0, indices);
            var ys = indices is null ? y : y.index_select(0, indices);
            return nn.functional.cross_entropy(module.call(xs), ys);
        }
        return (new LossLandscape(module, module.parameters().ToList(), Loss, 30), module);
    }

    /// <summary>Q diag(λ) Qᵀ with a random orthogonal Q.</summary>
    public static Matrix<double> WithSpectrum(double[] eigenvalues, int seed)
    {
        int n = eigenvalues.Length;
        var q = Matrix<double>.Build.Random(n, n, new Normal(0, 1, new Random(seed))).QR().Q;
        return q * Matrix<double>.Build.DenseOfDiagonalArray(eigenvalues) * q.Transpose();
    }

    /// <summary>A random symmetric matrix with entries of order one.</summary>
    public static Matrix<double> RandomSymmetric(int n, int seed)
    {
        var g = Matrix<double>.Build.Random(n, n, new Normal(0, 1, new Random(seed)));
        return 0.5 * (g + g.Transpose());
    }

    /// <summary>Eigenvalues of a symmetric matrix, largest first.</summary>
    public static double[] Spectrum(Matrix<double> m) => new DenseOperator(m).Eigenvalues();

    /// <summary>The gradient of the landscape's full loss, flattened (float64).</summary>
    public static double[] FlatGradient(LossLandscape landscape)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = landscape.Parameters.Cast<Tensor>().ToArray();
        var g = torch.autograd.grad(new[] { landscape.Loss(null) }, inputs);
        return ParameterVectors.Flatten(g).to(float64).data<double>().ToArray();
    }

    /// <summary>Relative error |a − b| / |b|.</summary>
    public static double Relative(double a, double b) => Math.Abs(a - b) / Math.Abs(b);
}
