using SharpnessML.Trainers;
using SharpnessML.Trainers.Optimizers;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Tests.Optimizers;

/// <summary>Rényi-SAM and SAF: hand-computed updates on tiny problems, buffers, clipping and misuse.</summary>
public class RegularizingOptimizerTests
{
    private static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static ITrainingRegularizer Regularizer(optim.Optimizer optimizer) =>
        TrainingRegularizers.Find(optimizer) ?? throw new InvalidOperationException("no regulariser in the optimizer chain");

    // ---- Rényi-SAM -------------------------------------------------------------------------------

    /// <summary>L(w) = Σ ¼aᵢwᵢ⁴ + ½cᵢwᵢ² + bᵢwᵢ: a diagonal Hessian hᵢ = 3aᵢwᵢ² + cᵢ, so ‖Hz‖² = Σhᵢ² for every Rademacher z.</summary>
    private sealed class QuarticProblem : IDisposable
    {
        public static readonly double[] A = { 1.0, 2.0 }, C = { 0.5, 1.0 }, B = { -1.0, 0.5 }, Start = { 1.0, -0.5 };
        private readonly Tensor a = torch.tensor(A, float64), c = torch.tensor(C, float64), b = torch.tensor(B, float64);
        private readonly Tensor quarter = torch.tensor(0.25, float64), half = torch.tensor(0.5, float64);

        public Parameter W { get; } = new(torch.tensor(Start, float64));

        public static double[] Gradient(double[] w) => w.Select((x, i) => A[i] * x * x * x + C[i] * x + B[i]).ToArray();

        /// <summary>∇(λ Σ hᵢ²) = λ · 2hᵢ · 6aᵢwᵢ.</summary>
        public static double[] PenaltyGradient(double[] w, double lambda) =>
            w.Select((x, i) => lambda * 2 * (3 * A[i] * x * x + C[i]) * 6 * A[i] * x).ToArray();

        public Tensor Loss() => a.mul(W.pow(4)).mul(quarter).add(c.mul(W.square()).mul(half)).add(b.mul(W)).sum();

        public Func<Tensor> Closure(optim.Optimizer optimizer) => () =>
        {
            optimizer.zero_grad();
            var loss = Loss();
            var total = Regularizer(optimizer).Regularize(loss, loss);
            total.backward();
            return total;
        };

        public double[] Values() => W.detach().data<double>().ToArray();

        public void Dispose()
        {
            W.Dispose();
            foreach (var t in new[] { a, c, b, quarter, half }) t.Dispose();
        }
    }

    [Fact]
    public void RenyiSamStepsOnTheGradientOfTheLossPlusLambdaTimesTheSquaredHessianVectorProduct()
    {
        const double lambda = 0.1;
        var options = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, SharpnessAware = SharpnessAwareKind.RenyiSam, RenyiSamLambda = lambda };
        using var problem = new QuarticProblem();
        using var optimizer = OptimizerFactory.Create([problem.W], options);
        Assert.IsType<RenyiSam>(optimizer);
        var sgd = new ReferenceSgd(0.05, 0.9);
        var expected = QuarticProblem.Start;
        for (int step = 0; step < 2; step++)
        {
            double penalty = lambda * expected.Select((x, i) => Math.Pow(3 * QuarticProblem.A[i] * x * x + QuarticProblem.C[i], 2)).Sum();
            double plainLoss = expected.Select((x, i) => 0.25 * QuarticProblem.A[i] * Math.Pow(x, 4) + 0.5 * QuarticProblem.C[i] * x * x + QuarticProblem.B[i] * x).Sum();
            var gradient = Reference.Axpy(QuarticProblem.Gradient(expected), 1, QuarticProblem.PenaltyGradient(expected, lambda));
            expected = sgd.Step(expected, gradient);
            using var total = optimizer.step(problem.Closure(optimizer));
            Assert.Equal(plainLoss + penalty, total.item<double>(), 12);
            AssertClose(expected, problem.Values());
        }
    }

    [Fact]
    public void RenyiSamProbesAreHessianVectorProductsWhoseSquaredNormsAverageToTheTraceOfHSquared()
    {
        // On L = ½wᵀAw + bᵀw the Hessian is A everywhere: ‖Az‖² is 8.5 for z = ±(1, 1) and 2.5 for z = ±(1, −1);
        // tr(A²) = 5.5. The penalty has no gradient (no third derivative), so the step is plain SGD.
        using var problem = new QuadraticProblem();
        using var generator = new torch.Generator(5);
        using var indices = torch.zeros(1, int64);
        foreach (int probes in new[] { 1, 400 })
        {
            using var optimizer = OptimizerFactory.Create([problem.W], new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 1e-300, SharpnessAware = SharpnessAwareKind.RenyiSam, RenyiSamLambda = 1, RenyiSamProbes = probes });
            var regularizer = Regularizer(optimizer);
            regularizer.BeginBatch(new TrainingBatch(indices, 1, 0, false, generator));
            double plain = 0, total = 0;
            optimizer.step(() =>
            {
                optimizer.zero_grad();
                var loss = problem.Loss();
                plain = loss.item<double>();
                var value = regularizer.Regularize(loss, loss);
                total = value.item<double>();
                value.backward();
                return value;
            });
            double penalty = total - plain;
            if (probes == 1) Assert.True(Math.Abs(penalty - 8.5) < 1e-12 || Math.Abs(penalty - 2.5) < 1e-12, $"penalty {penalty}");
            else Assert.InRange(penalty, 5.5 - 0.6, 5.5 + 0.6);
            AssertClose(QuadraticProblem.Start, problem.Values());
        }
    }

    [Fact]
    public void RenyiSamGradientClippingClipsTheRegularisedGradient()
    {
        const double lambda = 0.1, maxNorm = 0.5;
        static double[] Clip(double[] g) => g.Select(x => x * Math.Min(1, maxNorm / (Reference.Norm(g) + 1e-6))).ToArray();
        using var problem = new QuarticProblem();
        using var optimizer = OptimizerFactory.Create([problem.W], new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, SharpnessAware = SharpnessAwareKind.RenyiSam, RenyiSamLambda = lambda, GradientClipNorm = maxNorm });
        Assert.IsType<GradientClipping>(optimizer);
        var sgd = new ReferenceSgd(0.1, 0);
        var expected = QuarticProblem.Start;
        for (int step = 0; step < 2; step++)
        {
            var full = Reference.Axpy(QuarticProblem.Gradient(expected), 1, QuarticProblem.PenaltyGradient(expected, lambda));
            Assert.True(Reference.Norm(full) > maxNorm); // the clip is active
            expected = sgd.Step(expected, Clip(full));
            optimizer.step(problem.Closure(optimizer));
            AssertClose(expected, problem.Values());
        }
    }

    // ---- SAF --------------------------------------------------------------------------------------

    private static readonly double[][] X = { new[] { 1.0, 0.5 }, new[] { -0.5, 1.0 } };
    private static readonly long[] Classes = { 0, 1 };
    private static readonly double[] Targets = { 1.0, -0.5 };
    private static readonly double[] W0 = { 0.2, -0.3, 0.4, 0.1 }; // classification: 2×2 row-major; regression uses the first row

    private static double[] Softmax(double[] z, double temperature)
    {
        var e = z.Select(v => Math.Exp(v / temperature)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    private static double[] Logits(double[] w, double[] x) => new[] { w[0] * x[0] + w[1] * x[1], w[2] * x[0] + w[3] * x[1] };

    /// <summary>∂/∂W of mean CE + λ/B Σ KL(softmax(ẑ/τ) ‖ softmax(z/τ)) for the linear classifier z = Wx; <paramref name="past"/> null before SAF starts.</summary>
    private static double[] ClassifierGradient(double[] w, double[][]? past, double lambda, double temperature)
    {
        var g = new double[4];
        for (int i = 0; i < 2; i++)
        {
            var z = Logits(w, X[i]);
            var p = Softmax(z, 1);
            var dz = new[] { p[0] - (Classes[i] == 0 ? 1 : 0), p[1] - (Classes[i] == 1 ? 1 : 0) };
            if (past is not null)
            {
                var q = Softmax(past[i], temperature);
                var pt = Softmax(z, temperature);
                for (int k = 0; k < 2; k++) dz[k] += lambda * (pt[k] - q[k]) / temperature;
            }
            for (int k = 0; k < 2; k++)
                for (int j = 0; j < 2; j++) g[2 * k + j] += dz[k] * X[i][j] / 2;
        }
        return g;
    }

    /// <summary>∂/∂w of mean (wᵀx − y)² + λ/B Σ (wᵀx − ŷ)² for the linear regressor.</summary>
    private static double[] RegressorGradient(double[] w, double[]? past, double lambda)
    {
        var g = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double z = w[0] * X[i][0] + w[1] * X[i][1];
            double dz = 2 * (z - Targets[i]) / 2 + (past is null ? 0 : lambda * 2 * (z - past[i]) / 2);
            for (int j = 0; j < 2; j++) g[j] += dz * X[i][j];
        }
        return g;
    }

    /// <summary>Three full-batch steps, one per epoch, in a different example order each epoch; SAF with Ẽ = 1 from epoch 1.</summary>
    private static void AssertSafSteps(bool classification)
    {
        const double lr = 0.5, lambda = 0.7, temperature = 2;
        var options = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = lr, SharpnessAware = SharpnessAwareKind.Saf, SafLambda = lambda, SafTemperature = temperature, SafEpochsBack = 1, SafStartEpoch = 1 };
        int outputs = classification ? 2 : 1;
        using var w = new Parameter(torch.tensor(W0.Take(2 * outputs).ToArray(), new long[] { outputs, 2 }, float64));
        using var x = torch.tensor(X.SelectMany(r => r).ToArray(), new long[] { 2, 2 }, float64);
        using var classes = torch.tensor(Classes, int64);
        using var targets = torch.tensor(Targets, float64);
        using var optimizer = OptimizerFactory.Create([w], options);
        Assert.IsType<Saf>(optimizer);
        var regularizer = Regularizer(optimizer);

        var expected = W0.Take(2 * outputs).ToArray();
        double[][]? previousOutputs = null;
        long[][] orders = { new long[] { 0, 1 }, new long[] { 1, 0 }, new long[] { 0, 1 } };
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var outputsNow = X.Select(r => classification ? Logits(expected, r) : new[] { expected[0] * r[0] + expected[1] * r[1] }).ToArray();
            var gradient = classification
                ? ClassifierGradient(expected, epoch >= 1 ? previousOutputs : null, lambda, temperature)
                : RegressorGradient(expected, epoch >= 1 ? previousOutputs!.Select(o => o[0]).ToArray() : null, lambda);
            expected = Reference.Axpy(expected, -lr, gradient);
            previousOutputs = outputsNow;

            using var index = torch.tensor(orders[epoch], int64);
            regularizer.BeginBatch(new TrainingBatch(index, 2, epoch, classification));
            optimizer.step(() =>
            {
                optimizer.zero_grad();
                var xb = x.index_select(0, index);
                var output = xb.matmul(w.t());
                var loss = classification
                    ? nn.functional.cross_entropy(output, classes.index_select(0, index))
                    : nn.functional.mse_loss(output.reshape(-1), targets.index_select(0, index));
                var total = regularizer.Regularize(output, loss);
                total.backward();
                return total;
            });
            AssertClose(expected, w.detach().data<double>().ToArray());
        }
    }

    [Fact]
    public void SafAddsTheTemperedKlToTheLogitsRecordedForTheSameExamplesEpochsEarlier() => AssertSafSteps(classification: true);

    [Fact]
    public void SafUsesTheSquaredDifferenceForRegressionOutputs() => AssertSafSteps(classification: false);

    // ---- shared --------------------------------------------------------------------------------

    [Theory]
    [InlineData(SharpnessAwareKind.RenyiSam)]
    [InlineData(SharpnessAwareKind.Saf)]
    public void RunningStatisticsAfterOneStepEqualThoseAfterOnePlainForward(SharpnessAwareKind kind)
    {
        static nn.Module<Tensor, Tensor> Network() => TorchRuntime.Seeded(3, () => nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 1)));
        using var generator = new torch.Generator(11);
        using var x = torch.randn(new long[] { 8, 3 }, generator: generator);
        using var y = torch.randn(new long[] { 8, 1 }, generator: generator);
        using var indices = torch.arange(8L);

        Tensor[] expected;
        using (var plain = Network())
        {
            plain.train();
            using (torch.no_grad()) plain.call(x);
            expected = plain.buffers().Select(b => b.detach().clone()).ToArray();
        }

        using var network = Network();
        network.train();
        // SAF from epoch 0 with nothing recorded yet contributes 0; Ẽ = 1 and a second epoch would need a second forward.
        using var optimizer = OptimizerFactory.Create(network.parameters(), new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1, SharpnessAware = kind, SafStartEpoch = 0, SafEpochsBack = 1 }, network);
        var regularizer = Regularizer(optimizer);
        regularizer.BeginBatch(new TrainingBatch(indices, 8, 0, false, generator));
        double penalty = 0;
        optimizer.step(() =>
        {
            optimizer.zero_grad();
            var output = network.call(x);
            var loss = nn.functional.mse_loss(output, y);
            var total = regularizer.Regularize(output, loss);
            penalty = total.item<float>() - loss.item<float>();
            total.backward();
            return total;
        });
        if (kind == SharpnessAwareKind.RenyiSam) Assert.True(penalty > 0, $"penalty {penalty}"); // the double backward through BatchNorm ran
        var actual = network.buffers().ToArray();
        Assert.Equal(3, expected.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(TensorAssert.SameValues(expected[i], actual[i]), $"buffer {i} differs");
    }

    [Theory]
    [InlineData(SharpnessAwareKind.RenyiSam)]
    [InlineData(SharpnessAwareKind.Saf)]
    public void AClosureThatDoesNotRegulariseIsRefused(SharpnessAwareKind kind)
    {
        using var problem = new QuadraticProblem();
        using var optimizer = OptimizerFactory.Create([problem.W], new OptimizerOptions { Kind = OptimizerKind.Sgd, SharpnessAware = kind, GradientClipNorm = 1 });
        Assert.NotNull(TrainingRegularizers.Find(optimizer));
        Assert.Contains("Regularize", Assert.Throws<InvalidOperationException>(() => optimizer.step(problem.Closure(optimizer))).Message);
        Assert.Throws<ArgumentNullException>(() => optimizer.step());
        AssertClose(QuadraticProblem.Start, problem.Values());
    }

    [Fact]
    public void SafWithoutTheBatchIndicesIsRefused()
    {
        using var problem = new QuadraticProblem();
        using var optimizer = OptimizerFactory.Create([problem.W], new OptimizerOptions { Kind = OptimizerKind.Sgd, SharpnessAware = SharpnessAwareKind.Saf });
        var regularizer = Regularizer(optimizer);
        var error = Assert.Throws<InvalidOperationException>(() => optimizer.step(() =>
        {
            var loss = problem.Loss();
            return regularizer.Regularize(loss.reshape(1), loss);
        }));
        Assert.Contains("BeginBatch", error.Message);
    }

    [Fact]
    public void DefaultsAreThePapersOrDocumented()
    {
        var options = new OptimizerOptions();
        Assert.Equal((0.3, 5.0, 3, 5), (options.SafLambda, options.SafTemperature, options.SafEpochsBack, options.SafStartEpoch));
        Assert.Equal((0.001, 1), (options.RenyiSamLambda, options.RenyiSamProbes));
    }

    [Fact]
    public void InvalidSettingsAreRejectedByName()
    {
        Assert.Contains("RenyiSamLambda", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { RenyiSamLambda = -1 }.Validate()).Message);
        Assert.Contains("RenyiSamProbes", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { RenyiSamProbes = 0 }.Validate()).Message);
        Assert.Contains("SafTemperature", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { SafTemperature = 0 }.Validate()).Message);
        Assert.Contains("SafEpochsBack", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { SafEpochsBack = 0 }.Validate()).Message);
        Assert.Contains("SafStartEpoch", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { SafStartEpoch = -1 }.Validate()).Message);
        Assert.Contains("SafLambda", Assert.Throws<ArgumentOutOfRangeException>(() => new OptimizerOptions { SafLambda = double.NaN }.Validate()).Message);
    }
}
