using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Curvature;
using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Hessian;
using TorchSharp;
using static SharpnessML.Transforms.Tests.Curvature.CurvatureTestModels;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Tests.Curvature;

public class CurvatureOperatorTests
{
    [Fact]
    public void GgnIsTheHessianOfALinearModelUnderMse()
    {
        // f is linear in θ, so the Hessian has no second-derivative-of-f term: H = Jᵀ(2/n)J = GGN exactly.
        var landscape = Linear(4, 1, 20, LossFunction.MeanSquaredError, seed: 2);
        var ggn = CurvatureMeasures.Dense(landscape, CurvatureKind.GeneralizedGaussNewton);
        var hessian = HessianMeasures.DenseHessian(landscape);
        Assert.True(MaxError(ggn, hessian) < 1e-12, $"max error {MaxError(ggn, hessian)}");
        Assert.True(hessian.FrobeniusNorm() > 1); // not trivially zero
    }

    [Theory]
    [InlineData(LossFunction.CrossEntropy, 3)]
    [InlineData(LossFunction.MeanSquaredError, 1)]
    public void GgnOfAReluNetIsTheDenseJacobianProduct(LossFunction loss, int outputs)
    {
        var landscape = Relu(3, 5, outputs, 12, loss, seed: 4);
        int n = landscape.ExampleCount, p = (int)landscape.ParameterCount;
        var expected = Matrix<double>.Build.Dense(p, p);
        for (int i = 0; i < n; i++)
        {
            var j = Jacobian(landscape, i);
            expected += j.Transpose() * OutputHessian(landscape, i) * j / n;
        }
        var actual = CurvatureMeasures.Dense(landscape, CurvatureKind.GeneralizedGaussNewton);
        Assert.True(MaxError(actual, expected) < 1e-12, $"max error {MaxError(actual, expected)}");
        // The ReLU net's GGN is not its Hessian (the second layer's outputs are not linear in the first layer's weights).
        Assert.True(MaxError(HessianMeasures.DenseHessian(landscape), expected) > 1e-4);
    }

    [Theory]
    [InlineData(LossFunction.CrossEntropy, 3)]
    [InlineData(LossFunction.MeanSquaredError, 1)]
    public void EmpiricalFisherIsTheMeanOfGradientOuterProducts(LossFunction loss, int outputs)
    {
        var landscape = Relu(3, 4, outputs, 10, loss, seed: 5);
        int n = landscape.ExampleCount, p = (int)landscape.ParameterCount;
        var expected = Matrix<double>.Build.Dense(p, p);
        for (int i = 0; i < n; i++)
        {
            var g = ExampleGradient(landscape, i);
            expected += g.OuterProduct(g) / n;
        }
        var actual = CurvatureMeasures.Dense(landscape, CurvatureKind.EmpiricalFisher);
        Assert.True(MaxError(actual, expected) < 1e-12, $"max error {MaxError(actual, expected)}");
    }

    [Fact]
    public void MonteCarloFisherUsesTheSeededSampledLabels()
    {
        var landscape = Relu(3, 4, 3, 8, LossFunction.CrossEntropy, seed: 6);
        int n = landscape.ExampleCount, p = (int)landscape.ParameterCount;
        var options = new HessianOptions { Seed = 11 };
        Tensor labels;
        using (var generator = new torch.Generator((ulong)CurvatureMeasures.LabelSeed(options.Seed)))
            labels = SampledTargets.Draw(LossFunction.CrossEntropy, landscape.Supervised!.Outputs(), 1, generator)[0];
        var expected = Matrix<double>.Build.Dense(p, p);
        for (int i = 0; i < n; i++)
        {
            var g = ExampleGradient(landscape, i, labels[i]);
            expected += g.OuterProduct(g) / n;
        }
        var actual = CurvatureMeasures.Dense(landscape, CurvatureKind.MonteCarloFisher, options);
        Assert.True(MaxError(actual, expected) < 1e-12, $"max error {MaxError(actual, expected)}");
        Assert.True(MaxError(actual, CurvatureMeasures.Dense(landscape, CurvatureKind.EmpiricalFisher)) > 1e-6); // the labels were sampled, not the true ones
        Assert.Equal(actual, CurvatureMeasures.Dense(landscape, CurvatureKind.MonteCarloFisher, options)); // same seed, same matrix
    }

    [Theory]
    [InlineData(LossFunction.CrossEntropy, 3)]
    [InlineData(LossFunction.MeanSquaredError, 1)]
    public void MonteCarloFisherAveragesToTheGgn(LossFunction loss, int outputs)
    {
        // For both losses the true Fisher equals the GGN (Martens 2020, Sec. 9.2); 4,000 labels per example bring the mean within a few percent.
        var landscape = Relu(2, 3, outputs, 6, loss, seed: 8);
        var ggn = CurvatureMeasures.Dense(landscape, CurvatureKind.GeneralizedGaussNewton);
        using var scope = torch.NewDisposeScope();
        using var op = new CurvatureOperator(landscape, CurvatureKind.MonteCarloFisher, seed: 3, monteCarloSamples: 4000);
        var fisher = DenseOperator.FromOperator(op).Matrix;
        double error = (fisher - ggn).FrobeniusNorm() / ggn.FrobeniusNorm();
        Assert.True(error < 0.05, $"relative error {error}");
    }

    [Fact]
    public void ChunkedAndBatchedProductsAgreeWithTheWholeSet()
    {
        var landscape = Relu(3, 4, 3, 10, LossFunction.CrossEntropy, seed: 9);
        foreach (var kind in new[] { CurvatureKind.GeneralizedGaussNewton, CurvatureKind.EmpiricalFisher })
        {
            var whole = CurvatureMeasures.Dense(landscape, kind);
            var chunked = CurvatureMeasures.Dense(landscape, kind, new HessianOptions { ChunkSize = 3 });
            Assert.True(MaxError(chunked, whole) < 1e-12, $"{kind}: chunked error {MaxError(chunked, whole)}");
            var all = CurvatureMeasures.Dense(landscape, kind, new HessianOptions { BatchSize = 10 });
            Assert.True(MaxError(all, whole) < 1e-12, $"{kind}: batch error {MaxError(all, whole)}");
        }
    }

    [Fact]
    public void LanczosAndHutchinsonRunOnTheOperatorsUnchanged()
    {
        var (landscape, _) = TestKit.HessianTestModels.Mlp(new[] { 6, 10, 4 }, 30, seed: 7); // 114 parameters: Hutchinson, not the exact path
        var dense = new DenseOperator(CurvatureMeasures.Dense(landscape, CurvatureKind.GeneralizedGaussNewton));
        var top = CurvatureMeasures.TopEigenvalues(landscape, CurvatureKind.GeneralizedGaussNewton, new LanczosOptions { Count = 3, Tolerance = 1e-8 });
        var exact = dense.Eigenvalues();
        for (int i = 0; i < 3; i++) Assert.Equal(exact[i], top.Lanczos.Eigenvalues[i], 1e-6 * exact[0]);

        var trace = CurvatureMeasures.Trace(landscape, CurvatureKind.GeneralizedGaussNewton, new HutchinsonOptions { MaxSamples = 60, Tolerance = 0 });
        Assert.Equal(TraceMethod.Hutchinson, trace.Method);
        Assert.True(trace.StandardError > 0);
        Assert.True(Math.Abs(trace.Value - dense.Matrix.Trace()) <= 3 * trace.StandardError, $"{trace.Value} ± {trace.StandardError}, exact {dense.Matrix.Trace()}");
    }

    [Theory]
    [InlineData("ggn-trace", CurvatureKind.GeneralizedGaussNewton)]
    [InlineData("fisher-trace", CurvatureKind.MonteCarloFisher)]
    [InlineData("empirical-fisher-trace", CurvatureKind.EmpiricalFisher)]
    public void TraceMeasuresByNameAreExactOnSmallModels(string name, CurvatureKind kind)
    {
        var (landscape, module) = TestKit.HessianTestModels.TinyMlp(); // 51 parameters
        module.train();
        var result = MeasureRegistry.BuiltIn.Measure(name, landscape, new MeasureSettings(Seed: 4));
        var expected = CurvatureMeasures.Dense(landscape, kind, new HessianOptions { Seed = 4 }).Trace();
        Assert.Equal(expected, result.Value, 1e-10 * expected);
        Assert.Null(result.StandardError);
        Assert.Equal(kind, result.MetricsAs<CurvatureTraceMetrics>().Kind);
        Assert.True(module.training); // the mode is restored
    }

    [Fact]
    public void GgnTopEigenvaluesByName()
    {
        var (landscape, _) = TestKit.HessianTestModels.TinyMlp();
        var result = MeasureRegistry.BuiltIn.Measure("ggn-top-eigenvalues", landscape, new MeasureSettings());
        var exact = new DenseOperator(CurvatureMeasures.Dense(landscape, CurvatureKind.GeneralizedGaussNewton)).Eigenvalues();
        var metrics = result.MetricsAs<CurvatureEigenvalueMetrics>();
        Assert.Equal(HessianTopEigenvaluesMeasure.TopCount, metrics.Lanczos.Eigenvalues.Length);
        Assert.Equal(exact[0], result.Value, 1e-3 * exact[0]);
        Assert.Equal("generalised Gauss-Newton matrix", metrics.Details()[0].Value);
    }

    [Fact]
    public void ALandscapeWithoutOutputsIsRefusedWithAClearMessage()
    {
        var (landscape, _) = TestKit.HessianTestModels.TinyCnn(); // a loss only, no supervised problem
        var error = Assert.Throws<InvalidOperationException>(() => CurvatureMeasures.Dense(landscape, CurvatureKind.GeneralizedGaussNewton));
        Assert.Contains("supervised landscape", error.Message);
    }
}
