using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.Optimizers;

public class OptimizerUpdateTests
{
    private const double Tolerance = 1e-12;

    private static void AssertClose(double[] expected, double[] actual, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>Runs two steps of the optimizer built from <paramref name="options"/> and checks each against <paramref name="reference"/> (w, g at w) → w'.</summary>
    private static void AssertTwoSteps(OptimizerOptions options, Func<double[], double[]> reference, double tolerance = Tolerance)
    {
        using var problem = new QuadraticProblem();
        using var optimizer = OptimizerFactory.Create([problem.W], options);
        var expected = QuadraticProblem.Start;
        for (int step = 0; step < 2; step++)
        {
            expected = reference(expected);
            optimizer.step(problem.Closure(optimizer));
            AssertClose(expected, problem.Values(), tolerance);
        }
    }

    [Fact]
    public void AdamWMatchesTheHandComputedDecoupledUpdate()
    {
        var options = new OptimizerOptions { Kind = OptimizerKind.AdamW, LearningRate = 0.1, WeightDecay = 0.1 };
        var reference = new ReferenceAdamW(0.1, 0.9, 0.999, 1e-8, 0.1);
        AssertTwoSteps(options, w => reference.Step(w, QuadraticProblem.Gradient(w)));
    }

    [Fact]
    public void RmsPropMatchesTheHandComputedUpdateWithAndWithoutMomentum()
    {
        foreach (double momentum in new[] { 0.0, 0.9 })
        {
            const double lr = 0.01, alpha = 0.99, eps = 1e-8;
            double[] v = new double[2], buffer = new double[2];
            var options = new OptimizerOptions { Kind = OptimizerKind.RmsProp, LearningRate = lr, Momentum = momentum };
            AssertTwoSteps(options, w =>
            {
                var g = QuadraticProblem.Gradient(w);
                var next = new double[2];
                for (int i = 0; i < 2; i++)
                {
                    v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
                    double direction = g[i] / (Math.Sqrt(v[i]) + eps);
                    buffer[i] = momentum * buffer[i] + direction;
                    next[i] = w[i] - lr * (momentum > 0 ? buffer[i] : direction);
                }
                return next;
            });
        }
    }

    [Fact]
    public void SamStepsTheBaseOptimizerOnTheGradientAtTheNormalisedAscentPoint()
    {
        const double rho = 0.05;
        var options = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9, SharpnessAware = SharpnessAwareKind.Sam };
        Assert.Equal(rho, options.EffectiveRho);
        var sgd = new ReferenceSgd(0.1, 0.9);
        AssertTwoSteps(options, w =>
        {
            var e = Reference.SamPerturbation(QuadraticProblem.Gradient(w), rho);
            return sgd.Step(w, QuadraticProblem.Gradient(Reference.Axpy(w, 1, e)));
        });
    }

    [Fact]
    public void SamWrapsAdaptiveBaseOptimizersToo()
    {
        var options = new OptimizerOptions { Kind = OptimizerKind.AdamW, LearningRate = 0.1, WeightDecay = 0.1, SharpnessAware = SharpnessAwareKind.Sam, Rho = 0.2 };
        var adamW = new ReferenceAdamW(0.1, 0.9, 0.999, 1e-8, 0.1);
        AssertTwoSteps(options, w =>
        {
            var e = Reference.SamPerturbation(QuadraticProblem.Gradient(w), 0.2);
            return adamW.Step(w, QuadraticProblem.Gradient(Reference.Axpy(w, 1, e)));
        });
    }

    [Fact]
    public void AsamScalesThePerturbationByTheWeightMagnitudes()
    {
        var options = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, SharpnessAware = SharpnessAwareKind.Asam };
        Assert.Equal(0.5, options.EffectiveRho);
        Assert.Equal(0.01, options.AsamEta);
        var sgd = new ReferenceSgd(0.1, 0);
        AssertTwoSteps(options, w =>
        {
            var e = Reference.AsamPerturbation(w, QuadraticProblem.Gradient(w), 0.5, 0.01);
            return sgd.Step(w, QuadraticProblem.Gradient(Reference.Axpy(w, 1, e)));
        });
    }

    [Fact]
    public void GsamStepsOnThePerturbedGradientMinusAlphaTimesTheOrthogonalPartOfTheGradientAtW()
    {
        const double rho = 0.3, alpha = 0.4;
        var options = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9, SharpnessAware = SharpnessAwareKind.Gsam, Rho = rho, GsamAlpha = alpha };
        var sgd = new ReferenceSgd(0.1, 0.9);
        AssertTwoSteps(options, w =>
        {
            var g = QuadraticProblem.Gradient(w);
            var gp = QuadraticProblem.Gradient(Reference.Axpy(w, 1, Reference.SamPerturbation(g, rho)));
            double projection = (g[0] * gp[0] + g[1] * gp[1]) / (gp[0] * gp[0] + gp[1] * gp[1]);
            var vertical = Reference.Axpy(g, -projection, gp);
            Assert.Equal(0, vertical[0] * gp[0] + vertical[1] * gp[1], 12);
            return sgd.Step(w, Reference.Axpy(gp, -alpha, vertical));
        });
    }

    [Fact]
    public void GsamWithZeroAlphaIsSam()
    {
        var sgd = new ReferenceSgd(0.1, 0);
        AssertTwoSteps(new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, SharpnessAware = SharpnessAwareKind.Gsam, GsamAlpha = 0 }, w =>
            sgd.Step(w, QuadraticProblem.Gradient(Reference.Axpy(w, 1, Reference.SamPerturbation(QuadraticProblem.Gradient(w), 0.05)))));
    }

    [Fact]
    public void SamReturnsTheLossAtTheUnperturbedWeightsAndRestoresThemBeforeTheBaseStep()
    {
        using var problem = new QuadraticProblem();
        // A base step with a tiny learning rate: the weights after the step are w − lr·g(w+e), not w + e − ….
        using var optimizer = OptimizerFactory.Create([problem.W], new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 1e-300, SharpnessAware = SharpnessAwareKind.Sam, Rho = 1 });
        double w0 = QuadraticProblem.Start[0], w1 = QuadraticProblem.Start[1];
        double expectedLoss = 0.5 * (2 * w0 * w0 + 2 * 0.5 * w0 * w1 + w1 * w1) + (-1 * w0 + 0.5 * w1);
        using var loss = optimizer.step(problem.Closure(optimizer));
        Assert.Equal(expectedLoss, loss.item<double>(), 12);
        AssertClose(QuadraticProblem.Start, problem.Values());
    }

    [Fact]
    public void GradientClippingClipsTheGradientTheBaseStepsOn()
    {
        const double maxNorm = 0.5;
        // clip_grad_norm_ scales by maxNorm / (‖g‖ + 1e-6).
        static double[] Clip(double[] g) => g.Select(x => x * Math.Min(1, maxNorm / (Reference.Norm(g) + 1e-6))).ToArray();
        var plain = new ReferenceSgd(0.1, 0);
        AssertTwoSteps(new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, GradientClipNorm = maxNorm },
            w => plain.Step(w, Clip(QuadraticProblem.Gradient(w))));
        var sam = new ReferenceSgd(0.1, 0);
        AssertTwoSteps(new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, GradientClipNorm = maxNorm, SharpnessAware = SharpnessAwareKind.Sam },
            w =>
            {
                var e = Reference.SamPerturbation(QuadraticProblem.Gradient(w), 0.05);
                return sam.Step(w, Clip(QuadraticProblem.Gradient(Reference.Axpy(w, 1, e))));
            });
    }

    [Theory]
    [InlineData(OptimizerKind.AdamMini, SharpnessAwareKind.Gsam)]
    [InlineData(OptimizerKind.AdamW, SharpnessAwareKind.Sam)]
    public void WrappersExposeTheBaseParameterGroupsSoSchedulersCanChangeTheLearningRate(OptimizerKind kind, SharpnessAwareKind sharpnessAware)
    {
        using var problem = new QuadraticProblem();
        using var optimizer = OptimizerFactory.Create([problem.W], new OptimizerOptions { Kind = kind, LearningRate = 0.1, SharpnessAware = sharpnessAware, GradientClipNorm = 10 });
        var group = Assert.Single(optimizer.ParamGroups);
        Assert.Equal(0.1, group.LearningRate);
        Assert.Single(optimizer.parameters());
        group.LearningRate = 1e-300; // effectively zero: the step leaves the weights where they were
        optimizer.step(problem.Closure(optimizer));
        AssertClose(QuadraticProblem.Start, problem.Values());
    }

    [Fact]
    public void SharpnessAwareMethodsNeedAClosure()
    {
        using var problem = new QuadraticProblem();
        using var optimizer = OptimizerFactory.Create([problem.W], new OptimizerOptions { Kind = OptimizerKind.Sgd, SharpnessAware = SharpnessAwareKind.Sam });
        Assert.Throws<ArgumentNullException>(() => optimizer.step());
    }

    [Fact]
    public void InvalidSettingsAreRejectedByName()
    {
        Assert.Contains("Rho", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { Rho = 0 }.Validate()).Message);
        Assert.Contains("AsamEta", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { AsamEta = -1 }.Validate()).Message);
        Assert.Contains("GradientClipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { GradientClipNorm = -1 }.Validate()).Message);
        Assert.Contains("RmsPropAlpha", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { RmsPropAlpha = 1 }.Validate()).Message);
    }
}
