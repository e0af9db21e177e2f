using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static SharpnessML.TestKit.HessianTestModels;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Hessian;

public class HessianOperatorTests
{
    [Fact]
    public void QuadraticHessianIsItsMatrix()
    {
        var a = RandomSymmetric(7, seed: 11);
        var (landscape, _) = Quadratic(a, seed: 2);
        var op = new HessianOperator(landscape);
        var dense = DenseOperator.FromOperator(op).Matrix;
        Assert.True((dense - a).FrobeniusNorm() < 1e-12 * a.FrobeniusNorm(), $"‖H − A‖ = {(dense - a).FrobeniusNorm()}");
        Assert.Equal(7, op.ProductCount);
    }

    public static TheoryData<string> Networks => new() { "mlp", "cnn" };

    private static LossLandscape Network(string name) => name == "mlp" ? TinyMlp().Landscape : TinyCnn().Landscape;

    [Theory]
    [MemberData(nameof(Networks))]
    public void ProductEqualsCentralDifferenceOfGradients(string network)
    {
        var landscape = Network(network);
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        var op = new HessianOperator(landscape);
        int n = (int)op.Dimension;
        var rng = new Random(5);
        var v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var hv = op.Multiply(torch.tensor(v, dtype: float64)).data<double>().ToArray();

        const double eps = 1e-5;
        var theta = ParameterVectors.Flatten(landscape.Parameters).detach().clone();
        double[] GradientAt(double step)
        {
            using var scope = torch.NewDisposeScope();
            ParameterVectors.Assign(landscape.Parameters, ParameterVectors.Unflatten(theta + step * torch.tensor(v, dtype: float64), landscape.Parameters));
            return FlatGradient(landscape);
        }
        var plus = GradientAt(eps);
        var minus = GradientAt(-eps);
        snapshot.Restore();
        var fd = plus.Select((p, i) => (p - minus[i]) / (2 * eps)).ToArray();

        var error = Math.Sqrt(hv.Select((h, i) => (h - fd[i]) * (h - fd[i])).Sum());
        var norm = Math.Sqrt(hv.Sum(h => h * h));
        Assert.True(norm > 1e-3, "The test direction should have visible curvature.");
        Assert.True(error < 1e-7 * norm, $"‖Hv − FD‖ = {error:E3}, ‖Hv‖ = {norm:E3}");
    }

    [Fact]
    public void ChunkedWholeSetProductEqualsOneShotProduct()
    {
        var (landscape, _) = TinyMlp();
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        var v = torch.randn(51, dtype: float64, generator: new torch.Generator(9));
        var whole = new HessianOperator(landscape).Multiply(v);
        var chunked = new HessianOperator(landscape, chunkSize: 7).Multiply(v); // 40 = 5·7 + 5: unequal chunks
        Assert.True((whole - chunked).norm().item<double>() < 1e-12 * whole.norm().item<double>());
    }

    [Fact]
    public void BatchOperatorIsTheHessianOfTheBatchLoss()
    {
        var (landscape, module) = TinyMlp();
        using var snapshot = ModelStateSnapshot.Capture(module);
        var batch = torch.tensor(new long[] { 3, 17, 5, 30 });
        var v = torch.randn(51, dtype: float64, generator: new torch.Generator(4));
        var onBatch = new HessianOperator(landscape, batch).Multiply(v);

        // The same batch as a landscape of its own, through the whole-set path.
        var batchOnly = new LossLandscape(module, landscape.Parameters, _ => landscape.Loss(batch), 1);
        var reference = new HessianOperator(batchOnly).Multiply(v);
        var whole = new HessianOperator(landscape).Multiply(v);
        Assert.True((onBatch - reference).norm().item<double>() < 1e-12 * reference.norm().item<double>());
        Assert.True((onBatch - whole).norm().item<double>() > 1e-3 * whole.norm().item<double>(), "A batch Hessian should differ from the whole-set one.");
    }

    [Fact]
    public void GradientAndLossMatchAutograd()
    {
        var (landscape, _) = TinyMlp();
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        var op = new HessianOperator(landscape, chunkSize: 16);
        var g = ParameterVectors.Flatten(op.Gradient()).data<double>().ToArray();
        var reference = FlatGradient(landscape);
        Assert.Equal(reference.Length, g.Length);
        for (int i = 0; i < g.Length; i++) Assert.Equal(reference[i], g[i], 12);
        Assert.Equal(landscape.Loss(null).item<double>(), op.Loss(), 12);
    }

    [Fact]
    public void RestrictedOperatorIsThePrincipalBlock()
    {
        var (landscape, _) = TinyMlp();
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        var op = new HessianOperator(landscape);
        var full = DenseOperator.FromOperator(op).Matrix;
        int offset = 0;
        for (int i = 0; i < op.Parameters.Count; i++)
        {
            int size = (int)op.Parameters[i].numel();
            var block = DenseOperator.FromOperator(op.Restrict(i)).Matrix;
            var expected = full.SubMatrix(offset, size, offset, size);
            Assert.True((block - expected).FrobeniusNorm() <= 1e-12 * Math.Max(1, expected.FrobeniusNorm()), $"block {i}");
            offset += size;
        }
    }

    [Fact]
    public void ParametersTheLossIgnoresOrEntersLinearlyGetZeroRows()
    {
        var module = new VectorModule(new[] { 0.3, -0.7 });
        var unused = new Parameter(torch.ones(3, dtype: float64));
        var linear = new Parameter(torch.ones(2, dtype: float64));
        var landscape = new LossLandscape(module, new[] { module.W, unused, linear },
            _ => module.W.pow(4).sum() + linear.sum() * 2, 1);
        var dense = DenseOperator.FromOperator(new HessianOperator(landscape)).Matrix;
        var expected = Matrix<double>.Build.Dense(7, 7);
        expected[0, 0] = 12 * 0.3 * 0.3;
        expected[1, 1] = 12 * 0.7 * 0.7;
        Assert.True((dense - expected).FrobeniusNorm() < 1e-12);
    }

    [Fact]
    public void ProductsLeaveNoTensorsBehind()
    {
        var (landscape, _) = TinyMlp();
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        var op = new HessianOperator(landscape, chunkSize: 16);
        using var outer = torch.NewDisposeScope();
        var v = torch.randn(51, dtype: float64);
        op.Multiply(v).Dispose();
        long before = outer.DisposablesCount;
        for (int i = 0; i < 5; i++) op.Multiply(v).Dispose();
        Assert.Equal(before, outer.DisposablesCount);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void ReusedGradientGraphGivesTheFreshProducts(string network)
    {
        var landscape = Network(network);
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        var fresh = new HessianOperator(landscape);
        using var reused = new HessianOperator(landscape, reuseGradientGraph: true);
        var generator = new torch.Generator(6);
        for (int k = 0; k < 4; k++)
        {
            using var scope = torch.NewDisposeScope();
            var v = torch.randn(fresh.Dimension, dtype: float64, generator: generator);
            var expected = fresh.Multiply(v);
            var actual = reused.Multiply(v);
            Assert.True((expected - actual).norm().item<double>() <= 1e-12 * expected.norm().item<double>(), $"product {k}");
        }
        Assert.Equal(4, reused.ProductCount);
    }

    [Fact]
    public void ReusedGraphFollowsInvalidateAndModeChanges()
    {
        var (landscape, module) = TinyCnn();
        using var snapshot = ModelStateSnapshot.Capture(module);
        var v = torch.randn(81, dtype: float64, generator: new torch.Generator(8));
        using var reused = new HessianOperator(landscape, reuseGradientGraph: true);
        module.eval();
        var inEval = reused.Multiply(v);
        module.train(); // BatchNorm now uses batch statistics: a different Hessian
        var inTrain = reused.Multiply(v);
        var freshTrain = new HessianOperator(landscape).Multiply(v);
        Assert.True((inTrain - freshTrain).norm().item<double>() <= 1e-12 * freshTrain.norm().item<double>());
        Assert.True((inTrain - inEval).norm().item<double>() > 1e-3 * inEval.norm().item<double>(), "Train and eval mode should give different Hessians.");

        module.eval();
        using (torch.no_grad())
            foreach (var p in landscape.Parameters) p.mul_(1.5);
        reused.Invalidate();
        var moved = reused.Multiply(v);
        var freshMoved = new HessianOperator(landscape).Multiply(v);
        Assert.True((moved - freshMoved).norm().item<double>() <= 1e-12 * freshMoved.norm().item<double>());
        Assert.True((moved - inEval).norm().item<double>() > 1e-3 * inEval.norm().item<double>(), "Scaled parameters should change the Hessian.");
    }
}
