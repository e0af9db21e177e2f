using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Curvature;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;
using static SharpnessML.Transforms.Tests.Curvature.CurvatureTestModels;

namespace SharpnessML.Transforms.Tests.Curvature;

public class KfacTests
{
    [Theory]
    [InlineData(LossFunction.CrossEntropy, 4)]
    [InlineData(LossFunction.MeanSquaredError, 1)]
    public void OneLinearLayerOnOneExampleIsTheExactFisherBlock(LossFunction loss, int outputs)
    {
        // With one example, E[ããᵀ] ⊗ E[ggᵀ] = (g ⊗ ã)(g ⊗ ã)ᵀ: K-FAC is exact.
        var landscape = Linear(3, outputs, 1, loss, seed: 12);
        var empirical = Kfac.Compute(landscape, new KfacOptions { FisherType = KfacFisherType.Empirical });
        var block = Assert.Single(empirical.Blocks);
        Assert.True(block.HasBias);
        var exact = CurvatureMeasures.Dense(landscape, CurvatureKind.EmpiricalFisher);
        Assert.True(MaxError(block.ToDense(), exact) < 1e-12, $"empirical: max error {MaxError(block.ToDense(), exact)}");
        Assert.Equal(exact.Trace(), empirical.Trace, 1e-12 * exact.Trace());
        Assert.Equal(new DenseOperator(exact).Eigenvalues()[0], empirical.TopEigenvalue, 1e-10 * empirical.TopEigenvalue);

        // The Monte-Carlo type draws the same labels as the Monte-Carlo Fisher with the same seed.
        var monteCarlo = Kfac.Compute(landscape, new KfacOptions { Seed = 5 });
        var fisher = CurvatureMeasures.Dense(landscape, CurvatureKind.MonteCarloFisher, new HessianOptions { Seed = 5 });
        Assert.True(MaxError(monteCarlo.Blocks[0].ToDense(), fisher) < 1e-12, $"Monte-Carlo: max error {MaxError(monteCarlo.Blocks[0].ToDense(), fisher)}");
    }

    [Fact]
    public void BlocksAreTheExactDiagonalBlocksForOneExampleSoTheTraceIsExact()
    {
        var landscape = Relu(3, 4, 2, 1, LossFunction.CrossEntropy, seed: 13);
        var kfac = Kfac.Compute(landscape, new KfacOptions { FisherType = KfacFisherType.Empirical });
        Assert.Equal(new[] { "fc1", "fc2" }, kfac.Blocks.Select(b => b.Name));
        var exact = CurvatureMeasures.Dense(landscape, CurvatureKind.EmpiricalFisher);
        // Parameters in order: fc1.weight (12), fc1.bias (4), fc2.weight (8), fc2.bias (2).
        Assert.True(MaxError(kfac.Blocks[0].ToDense(), exact.SubMatrix(0, 16, 0, 16)) < 1e-12);
        Assert.True(MaxError(kfac.Blocks[1].ToDense(), exact.SubMatrix(16, 10, 16, 10)) < 1e-12);
        Assert.Equal(exact.Trace(), kfac.Trace, 1e-12 * exact.Trace());
        Assert.Equal(26, kfac.ParametersCovered);
    }

    [Fact]
    public void ManyExamplesGiveTheKroneckerProductOfTheMeanFactors()
    {
        // With n > 1 K-FAC is an approximation: its factors are the means of ããᵀ and ggᵀ, checked here by hand.
        var landscape = Linear(2, 3, 7, LossFunction.CrossEntropy, seed: 14);
        var kfac = Kfac.Compute(landscape, new KfacOptions { FisherType = KfacFisherType.Empirical });
        var problem = landscape.Supervised!;
        var a = Matrix<double>.Build.Dense(3, 3);
        var g = Matrix<double>.Build.Dense(3, 3);
        var x = problem.Data.Features.data<double>().ToArray();
        for (int i = 0; i < 7; i++)
        {
            var ai = Vector<double>.Build.DenseOfArray(new[] { x[2 * i], x[2 * i + 1], 1.0 });
            a += ai.OuterProduct(ai) / 7;
            // ∂ℓ/∂s = softmax(s) − e_y for cross-entropy.
            var s = problem.Outputs(torch.tensor(new long[] { i })).reshape(-1);
            var p = TorchSharp.torch.nn.functional.softmax(s, 0).data<double>().ToArray();
            p[problem.Data.Labels[i].item<long>()] -= 1;
            var gi = Vector<double>.Build.DenseOfArray(p);
            g += gi.OuterProduct(gi) / 7;
        }
        var block = kfac.Blocks[0];
        Assert.True(MaxError(block.InputFactor, a) < 1e-12);
        Assert.True(MaxError(block.OutputFactor, g) < 1e-12);
        Assert.Equal(a.Trace() * g.Trace(), kfac.Trace, 1e-12 * kfac.Trace);
        var products = block.AllEigenvalues();
        Assert.Equal(9, products.Length);
        Assert.Equal(kfac.TopEigenvalue, products[0]);
    }

    [Fact]
    public void MeasuresByNameAndTheModuleIsLeftAsFound()
    {
        var (landscape, module) = TestKit.HessianTestModels.TinyMlp();
        module.train();
        var before = module.parameters().Select(p => p.detach().clone()).ToList();
        var trace = MeasureRegistry.BuiltIn.Measure("kfac-trace", landscape, new MeasureSettings(Seed: 2));
        var top = MeasureRegistry.BuiltIn.Measure("kfac-top-eigenvalues", landscape, new MeasureSettings(Seed: 2));
        var metrics = trace.MetricsAs<KfacMetrics>();
        Assert.Equal(metrics.Blocks.Sum(b => b.Trace), trace.Value);
        Assert.Equal(metrics.TopEigenvalue, top.Value);
        Assert.Equal(landscape.ParameterCount, metrics.ParametersCovered);
        Assert.True(module.training);
        Assert.All(module.parameters().Zip(before), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>()));
        // The hooks are gone: a second measure gives the same numbers (no stale activations were kept).
        Assert.Equal(trace.Value, MeasureRegistry.BuiltIn.Measure("kfac-trace", landscape, new MeasureSettings(Seed: 2)).Value);
    }

    private static (LossLandscape Landscape, TorchSharp.Modules.Conv2d Conv, nn.Module<Tensor, Tensor> Head) ConvNet(long channels, long side, long kernel, int examples, int seed)
    {
        TorchSharp.Modules.Conv2d conv = null!;
        nn.Module<Tensor, Tensor> head = null!;
        var module = SharpnessML.Trainers.TorchRuntime.Seeded(seed, () =>
        {
            conv = nn.Conv2d(channels, 2, kernel);
            long outSide = side - kernel + 1;
            head = nn.Linear(2 * outSide * outSide, 3);
            return nn.Sequential(("unflatten", nn.Unflatten(1, new[] { channels, side, side })), ("conv", conv), ("flatten", nn.Flatten()), ("head", head));
        });
        module.to(float64);
        var generator = new torch.Generator((ulong)seed);
        var x = torch.randn(new long[] { examples, channels * side * side }, dtype: float64, generator: generator);
        var y = torch.randint(0, 3, new long[] { examples }, dtype: int64, generator: generator);
        return (LossLandscape.ForSupervised(module, new SharpnessML.Trainers.Data.SupervisedTensors(x, y), LossFunction.CrossEntropy), conv, head);
    }

    [Fact]
    public void AConvolutionWithOneLocationOnOneExampleIsTheExactFisherBlock()
    {
        // A 2×2 kernel on a 2×2 input has one output location (T = 1): the convolution is a linear layer on the flattened patch.
        var (landscape, _, _) = ConvNet(2, 2, 2, 1, seed: 15);
        var kfac = Kfac.Compute(landscape, new KfacOptions { FisherType = KfacFisherType.Empirical });
        var block = kfac.Blocks[0];
        Assert.Equal(("conv", KfacLayerKind.Convolution, 2, 8), (block.Name, block.Kind, block.Outputs, block.Inputs));
        var exact = CurvatureMeasures.Dense(landscape, CurvatureKind.EmpiricalFisher);
        Assert.True(MaxError(block.ToDense(), exact.SubMatrix(0, 18, 0, 18)) < 1e-12, $"max error {MaxError(block.ToDense(), exact.SubMatrix(0, 18, 0, 18))}");
        Assert.Equal(exact.Trace(), kfac.Trace, 1e-12 * exact.Trace());
    }

    [Fact]
    public void AConvolutionsFactorsAverageItsPatchesAndSumItsLocations()
    {
        // A 2×2 kernel on a 3×3 image: T = 4 patches per example. A = (1/(nT)) Σ ããᵀ, G = (1/n) Σ_i Σ_t g gᵀ (KFC).
        var (landscape, conv, head) = ConvNet(1, 3, 2, 2, seed: 16);
        var kfac = Kfac.Compute(landscape, new KfacOptions { FisherType = KfacFisherType.Empirical });
        var block = kfac.Blocks[0];
        var problem = landscape.Supervised!;
        var x = problem.Data.Features.data<double>().ToArray();
        var a = Matrix<double>.Build.Dense(5, 5);
        var g = Matrix<double>.Build.Dense(2, 2);
        for (int i = 0; i < 2; i++)
        {
            var image = torch.tensor(x.Skip(9 * i).Take(9).ToArray(), new long[] { 1, 1, 3, 3 }, dtype: float64);
            var s = conv.call(image).detach().requires_grad_(true); // [1, 2, 2, 2]
            var loss = nn.functional.cross_entropy(head.call(s.flatten(1)), problem.Data.Labels.narrow(0, i, 1));
            var grad = torch.autograd.grad(new[] { loss }, new[] { s })[0].data<double>().ToArray(); // [1, 2, 2, 2]
            for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++)
            {
                var patch = Vector<double>.Build.DenseOfArray(new[]
                {
                    x[9 * i + 3 * r + c], x[9 * i + 3 * r + c + 1], x[9 * i + 3 * (r + 1) + c], x[9 * i + 3 * (r + 1) + c + 1], 1.0,
                });
                a += patch.OuterProduct(patch) / 8;
                var gt = Vector<double>.Build.DenseOfArray(new[] { grad[2 * r + c], grad[4 + 2 * r + c] });
                g += gt.OuterProduct(gt) / 2;
            }
        }
        Assert.True(MaxError(block.InputFactor, a) < 1e-12, $"A: max error {MaxError(block.InputFactor, a)}");
        Assert.True(MaxError(block.OutputFactor, g) < 1e-12, $"G: max error {MaxError(block.OutputFactor, g)}");
        Assert.Equal(new[] { "conv", "head" }, kfac.Blocks.Select(b => b.Name));
        Assert.Equal(landscape.ParameterCount, kfac.ParametersCovered);
    }
}
