using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML;
using SharpnessML.Studies.DiagonalNetwork;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;
using TorchSharp;
using SharpnessML.Datasets;

namespace SharpnessML.Studies.Tests.DiagonalNetwork;

public sealed class DiagonalNetworkExperimentTests
{
    [Fact]
    public void WithPlusMinusOneFeaturesTheHessianDiagonalIsTwiceVSquaredAndUSquared()
    {
        // MSE (1/n)Σ(xᵢᵀ(u⊙v) − yᵢ)²: ∂²/∂u_j² = (2/n)Σ xᵢⱼ² v_j² = 2v_j² when every xᵢⱼ = ±1, at any point
        // (the residual only enters the u_j–v_j cross term). So tr H = 2Σ(u² + v²), tr(diag H^½) = √2 Σ(|u| + |v|).
        var ml = new MLContext(seed: 0);
        var (data, _) = SparseRegression.Generate(ml, examples: 8, features: 4, nonZero: 2, noise: 0.1, seed: 3, SparseRegressionFeatures.Rademacher);
        using var tensors = SupervisedTensors.FromDataView(data, ColumnNames.Features, ColumnNames.Label, NetworkTask.Regression);
        Assert.All(tensors.Features.data<float>().ToArray(), x => Assert.Equal(1f, Math.Abs(x)));
        using var scope = torch.NewDisposeScope();
        var net = new DiagonalLinearNetwork(new DiagonalNetworkSpec(4));
        float[] u = { 0.5f, -1.5f, 0.25f, 2f }, v = { 1f, 0.5f, -0.75f, 0f };
        using (torch.no_grad())
        {
            net.U.copy_(torch.tensor(u));
            net.V.copy_(torch.tensor(v));
        }
        var outcome = DiagonalNetworkExperiment.Measure(net, tensors, tensors);
        double trace = 2 * (u.Sum(a => a * a) + v.Sum(a => a * a));
        double sqrtDiag = Math.Sqrt(2) * (u.Sum(Math.Abs) + v.Sum(Math.Abs));
        Assert.Equal(trace, outcome.Trace, 4);
        Assert.Equal(sqrtDiag, outcome.SqrtDiagTrace, 4);
        Assert.Equal(0.5 + 0.75 + 0.1875, outcome.L1, 6); // |u⊙v| = 0.5, 0.75, 0.1875, 0
        Assert.Equal(3, outcome.Large);
    }

    [Fact]
    public void TheMinimumL1InterpolatorIsFound()
    {
        // β₁ + β₃ = 1, β₂ + β₃ = 1: the interpolators are (1 − t, 1 − t, t); ‖β‖₁ = 2 − t on [0, 1], least at t = 1.
        var x = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 0, 1 }, { 0, 1, 1 } });
        var beta = DiagonalNetworkExperiment.MinimumL1Interpolator(x, Vector<double>.Build.Dense(new[] { 1.0, 1.0 }));
        Assert.Equal(0, beta[0], 6);
        Assert.Equal(0, beta[1], 6);
        Assert.Equal(1, beta[2], 6);
        // One equation β₁ + 2β₂ = 2: the ℓ1 ball first touches it at (0, 1).
        beta = DiagonalNetworkExperiment.MinimumL1Interpolator(Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2 } }), Vector<double>.Build.Dense(new[] { 2.0 }));
        Assert.Equal(0, beta[0], 6);
        Assert.Equal(1, beta[1], 6);
    }

    [Fact]
    public void RepeatedColumnsCountsPairsEqualUpToSign()
    {
        // 3 × 4, row-major: column 1 = −column 0, column 3 = column 0, column 2 differs → pairs (0,1), (0,3), (1,3).
        double[] x = { 1, -1, 1, 1, -1, 1, 1, -1, 1, -1, -1, 1 };
        Assert.Equal(3, DiagonalNetworkExperiment.RepeatedColumns(x, examples: 3));
        Assert.Equal(0, DiagonalNetworkExperiment.RepeatedColumns(new double[] { 1, -1, 1, 1 }, examples: 2));
    }

    [Fact]
    public void TheNonNegativeMinimumL1InterpolatorRespectsTheSign()
    {
        // β₁ − 3β₂ = 1: unconstrained, the ℓ1 ball first touches the line at (0, −1/3) (norm 1/3); with β ≥ 0 the
        // feasible ray is (1 + 3t, t), t ≥ 0, least at (1, 0).
        var x = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, -3 } });
        var y = Vector<double>.Build.Dense(new[] { 1.0 });
        var signed = DiagonalNetworkExperiment.MinimumL1Interpolator(x, y);
        Assert.Equal(0, signed[0], 5);
        Assert.Equal(-1.0 / 3, signed[1], 5);
        var nonNegative = DiagonalNetworkExperiment.MinimumL1Interpolator(x, y, nonNegative: true);
        Assert.Equal(1, nonNegative[0], 5);
        Assert.Equal(0, nonNegative[1], 5);
    }

    private static (double[] X, double[] Y, double[] U, double[] V) SmallProblem()
    {
        // n 6, d 4, Gaussian features (so Σᵢxᵢⱼ² differs between columns), a point off the interpolators.
        var random = new Random(5);
        var x = Enumerable.Range(0, 24).Select(_ => DiagonalNetworkDynamics.Gaussian(random)).ToArray();
        var y = Enumerable.Range(0, 6).Select(_ => DiagonalNetworkDynamics.Gaussian(random)).ToArray();
        return (x, y, new[] { 0.7, -0.4, 0.2, 1.1 }, new[] { 0.5, 0.9, -0.3, 0.05 });
    }

    [Fact]
    public void PlainSgdAndAdamWithLabelNoiseMatchTorchStepByStep() =>
        AssertMatchesTorch(rademacher: false, annealFraction: 0, epsilon: 1e-8);

    [Fact]
    public void AnnealedSgdAndAdamWithPlusMinusOneLabelNoiseMatchTorchStepByStep() =>
        // Cosine annealing over the last 60% of 25 steps (constant for t < 10, then ½(1 + cos(π(t − 10)/15)))
        // and ε = ±1 label noise: torch gets the same learning rate per step through its parameter group.
        AssertMatchesTorch(rademacher: true, annealFraction: 0.6, epsilon: 1e-4);

    [Fact]
    public void TheCosineAnnealingStartsAtTheGivenFractionAndEndsAtZero()
    {
        var (x, y, u0, v0) = SmallProblem();
        var dynamics = new DiagonalNetworkDynamics(x, y, u0, v0) { AnnealFraction = 0.6 };
        Assert.Equal(1, dynamics.LearningRateScale(9, 25), 12);
        Assert.Equal(1, dynamics.LearningRateScale(10, 25), 12);          // cos 0
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 7 / 15)), dynamics.LearningRateScale(17, 25), 12);
        Assert.Equal(0.5, dynamics.LearningRateScale(350, 500), 12);      // half-way through the last 60%: 200 + 150
        Assert.Equal(0, dynamics.LearningRateScale(25, 25), 12);          // cos π
        Assert.Equal(1, new DiagonalNetworkDynamics(x, y, u0, v0).LearningRateScale(24, 25)); // no annealing
    }

    /// <summary>25 steps of SGD and of Adam in <see cref="DiagonalNetworkDynamics"/> against TorchSharp's optimizers on the same noisy labels and learning rates.</summary>
    private static void AssertMatchesTorch(bool rademacher, double annealFraction, double epsilon)
    {
        var (x, y, u0, v0) = SmallProblem();
        const double sigma = 0.5, rate = 0.05;
        const int steps = 25;
        double NoiseDraw(Random random) => rademacher ? 2 * random.Next(2) - 1 : DiagonalNetworkDynamics.Gaussian(random);
        foreach (bool adam in new[] { false, true })
        {
            var plain = new DiagonalNetworkDynamics(x, y, u0, v0) { RademacherNoise = rademacher, AnnealFraction = annealFraction };
            if (adam) plain.Adam(new AdamState(8, rate, 0.9, 0.99, epsilon), steps, sigma, new Random(11));
            else plain.Sgd(steps, rate, sigma, new Random(11));

            using var scope = torch.NewDisposeScope();
            var net = new DiagonalLinearNetwork(new DiagonalNetworkSpec(4));
            net.to(torch.float64);
            using (torch.no_grad())
            {
                net.U.copy_(torch.tensor(u0));
                net.V.copy_(torch.tensor(v0));
            }
            var features = torch.tensor(x, new long[] { 6, 4 });
            var labels = torch.tensor(y).unsqueeze(1);
            using torch.optim.Optimizer optimizer = adam
                ? torch.optim.Adam(net.parameters(), rate, 0.9, 0.99, epsilon)
                : torch.optim.SGD(net.parameters(), rate);
            var noise = new Random(11);
            double start = steps * (1 - annealFraction);
            for (int t = 0; t < steps; t++)
            {
                using var step = torch.NewDisposeScope();
                double scale = annealFraction <= 0 || t < start ? 1 : 0.5 * (1 + Math.Cos(Math.PI * (t - start) / (steps * annealFraction)));
                Assert.Equal(scale, plain.LearningRateScale(t, steps), 12);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = rate * scale;
                var noisy = labels + sigma * torch.tensor(Enumerable.Range(0, 6).Select(_ => NoiseDraw(noise)).ToArray()).unsqueeze(1);
                optimizer.zero_grad();
                (net.call(features) - noisy).square().mean().backward();
                optimizer.step();
            }
            var u = net.U.data<double>().ToArray();
            var v = net.V.data<double>().ToArray();
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(u[j], plain.U[j], 10);
                Assert.Equal(v[j], plain.V[j], 10);
            }
            Assert.NotEqual(u0[0], plain.U[0], 3); // the steps moved the point
        }
    }

    [Fact]
    public void TheRandomSignalIsKSparseWithEntriesBetweenOneHundredthAndOne()
    {
        var beta = SparseRegression.RandomSignal(features: 100, nonZero: 5, seed: 4);
        Assert.Equal(100, beta.Length);
        Assert.Equal(5, beta.Count(b => b != 0));
        Assert.All(beta.Where(b => b != 0), b => Assert.InRange(Math.Abs(b), 0.01f, 1f));
        Assert.Contains(beta, b => b < 0);
        Assert.Equal(beta, SparseRegression.RandomSignal(100, 5, seed: 4));
        Assert.NotEqual(beta, SparseRegression.RandomSignal(100, 5, seed: 5));
        // Labels are xᵀβ* for the given β*.
        var data = SparseRegression.Generate(new MLContext(seed: 0), 7, beta, noise: 0, seed: 2, SparseRegressionFeatures.Rademacher);
        using var tensors = SupervisedTensors.FromDataView(data, ColumnNames.Features, ColumnNames.Label, NetworkTask.Regression);
        var x = tensors.Features.data<float>().ToArray();
        var y = tensors.Labels.reshape(-1).data<float>().ToArray();
        for (int i = 0; i < 7; i++)
            Assert.Equal(Enumerable.Range(0, 100).Sum(j => (double)x[100 * i + j] * beta[j]), y[i], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseRegression.RandomSignal(4, 5, 0));
    }

    [Fact]
    public void ClosedFormHessianDiagonalSumsMatchTheDenseHessian()
    {
        var (x, y, u0, v0) = SmallProblem();
        var plain = new DiagonalNetworkDynamics(x, y, u0, v0);
        var (trace, sqrtDiag) = plain.HessianDiagonalSums();
        using var scope = torch.NewDisposeScope();
        var net = new DiagonalLinearNetwork(new DiagonalNetworkSpec(4));
        using (torch.no_grad())
        {
            net.U.copy_(torch.tensor(u0.Select(a => (float)a).ToArray()));
            net.V.copy_(torch.tensor(v0.Select(a => (float)a).ToArray()));
        }
        using var data = new SupervisedTensors(torch.tensor(x.Select(a => (float)a).ToArray(), new long[] { 6, 4 }), torch.tensor(y.Select(a => (float)a).ToArray()));
        var outcome = DiagonalNetworkExperiment.Measure(net, data, data);
        Assert.Equal(outcome.Trace, trace, 3);
        Assert.Equal(outcome.SqrtDiagTrace, sqrtDiag, 3);
        Assert.Equal(outcome.TrainMse, plain.Loss(), 4);
    }

    [Fact]
    public void StartingAtUEqualsVKeepsBetaNonNegativeWhileVZeroReachesEitherSign()
    {
        // Three examples, three features, β* = (1, −1, 0.5): the only interpolator has a negative entry.
        var random = new Random(3);
        var x = Enumerable.Range(0, 9).Select(_ => DiagonalNetworkDynamics.Gaussian(random)).ToArray();
        double[] target = { 1, -1, 0.5 };
        var y = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 3).Sum(j => x[3 * i + j] * target[j])).ToArray();
        foreach (bool adam in new[] { false, true })
        {
            // u = v: both factors get the same update on every step, so β = u² ≥ 0 and the fit stalls.
            var equal = new DiagonalNetworkDynamics(x, y, new[] { 0.1, 0.1, 0.1 }, new[] { 0.1, 0.1, 0.1 });
            var signed = new DiagonalNetworkDynamics(x, y, new[] { 0.1, 0.1, 0.1 }, new[] { 0.0, 0.0, 0.0 });
            if (adam)
            {
                equal.Adam(new AdamState(6, 0.01, 0.9, 0.999), 4000, 0.1, new Random(1));
                signed.Adam(new AdamState(6, 0.01, 0.9, 0.999), 4000, 0.1, new Random(1));
            }
            else
            {
                equal.Sgd(4000, 0.02, 0.1, new Random(1));
                signed.Sgd(4000, 0.02, 0.1, new Random(1));
            }
            Assert.Equal(equal.U, equal.V);
            Assert.All(equal.Beta(), b => Assert.True(b >= 0));
            Assert.True(equal.Loss() > 0.01, $"loss {equal.Loss()}");
            Assert.True(signed.Beta()[1] < -0.8, $"β₂ {signed.Beta()[1]}");
            Assert.True(signed.Loss() < equal.Loss() / 10, $"loss {signed.Loss()}");
        }
    }
}
