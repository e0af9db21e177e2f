using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Curvature;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using TorchSharp;
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
}
