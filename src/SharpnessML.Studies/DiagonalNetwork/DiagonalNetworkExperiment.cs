using Microsoft.ML;
using SharpnessML.Trainers;
using SharpnessML.Trainers.Data;
using SharpnessML.Trainers.DiagonalNetwork;
using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Optimizers;
using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;
using SharpnessML.Datasets;

namespace SharpnessML.Studies.DiagonalNetwork;

/// <summary>
/// "Adam reduces a unique form of sharpness" (Li, Wen &amp; Lyu 2025, §5) on a diagonal linear network
/// ŷ = xᵀ(u ⊙ v) fitting an over-parameterised sparse regression: near the manifold of interpolators,
/// Adam with label noise drifts towards low tr(diag(H)^½) — for ±1 features √2·Σ_j(|u_j| + |v_j|) ≥
/// 2√2·Σ_j√|β_j|, an ℓ½ penalty, so sparse β — while SGD with label noise drifts towards low tr(H) —
/// 2Σ_j(u_j² + v_j²) ≥ 4‖β‖₁, so the ℓ1-minimal interpolator.
/// </summary>
/// <remarks>
/// The data follow the paper's code: features uniform on {−1, 1}^d, β* with k non-zero entries uniform on
/// (−1, 1) (<see cref="SparseRegression.RandomSignal"/>), d 100, k 5; n 12, few enough examples that the
/// ℓ1-minimal interpolator is not β*. Both optimisers start at u = 0.1·N(0, I) (the paper's scale), v = 0
/// — β of either sign is reachable: with (p, q) = (u + v, u − v)/√2, u ⊙ v = (p² − q²)/2, the paper's
/// signed parametrisation — and take full-batch steps on labels with fresh ±σ noise (σ 0.5, the paper's δ).
/// Adam: η 0.03, β₁ 0.9, β₂ = 1 − 10η² (the paper's coupling of β₂ to η). SGD: η 0.05 (0.1 on the
/// paper's ½-scaled loss). 3·10⁶ steps each (the paper ran 10⁶–10⁷) with the learning rate annealed to 0
/// by a cosine over the second half, then <see cref="SettleSteps"/> plain gradient steps without noise, so
/// every quantity is measured on (or within 10⁻⁵ of) the manifold of interpolators. The steps run in
/// <see cref="DiagonalNetworkDynamics"/> (plain doubles, closed-form gradients, ~2 µs a step; tested
/// against the torch network and optimisers), the seeds in parallel; tr(H) and tr(diag(H)^½) are exact
/// (dense Hessian of the clean training loss by the library's Hessian engine on the torch network holding
/// the final u, v).
/// <para>
/// Adam's ε is 2·10⁻⁴ (10⁻⁴ on the paper's loss) rather than the paper's 10⁻⁶. Adam's steps are
/// normalised, so a coordinate that should be zero never shrinks below the size of its normalised random
/// walk: with ε 10⁻⁶ the 95 unused (u_j, v_j) end near 10⁻² and the √ in tr(diag(H)^½) turns their
/// β_j ~ 10⁻⁴ into a floor of ~2 (measured: Adam at β* had tr(diag(H)^½) 11.2 against 6.6 for SGD at
/// the same β*). With ε above their gradients (~10⁻⁵) Adam acts like SGD on exactly those coordinates and
/// they collapse, while every coordinate in use (gradients ~10⁻¹) sees Adam's normalised step unchanged.
/// </para>
/// </remarks>
internal static class DiagonalNetworkExperiment
{
    /// <summary>Plain gradient steps (no noise) after training, before measuring.</summary>
    public const int SettleSteps = 20_000;

    /// <summary>Learning rate of the settling steps.</summary>
    public const double SettleLearningRate = 0.01;

    /// <summary>The sparse-regression setting and the two optimisers' hyper-parameters.</summary>
    /// <param name="Features">d.</param>
    /// <param name="NonZero">k.</param>
    /// <param name="Examples">n.</param>
    /// <param name="Steps">Full-batch steps with label noise, each optimiser.</param>
    /// <param name="InitScale">u = α·N(0, I), v = 0 at the start, both optimisers.</param>
    /// <param name="AnnealFraction">The last fraction of the steps over which both learning rates fall to 0 by a cosine.</param>
    /// <param name="AdamLearningRate">η of Adam; β₂ = 1 − 10η².</param>
    /// <param name="AdamEpsilon">ε of Adam.</param>
    /// <param name="AdamBeta1">β₁ of Adam.</param>
    /// <param name="SgdLearningRate">η of SGD.</param>
    /// <param name="LabelNoise">σ of the ±σ label noise, both optimisers.</param>
    public sealed record Setting(int Features = 100, int NonZero = 5, int Examples = 12, int Steps = 3_000_000, double InitScale = 0.1,
        double AnnealFraction = 0.5, double AdamLearningRate = 0.03, double AdamEpsilon = 2e-4, double AdamBeta1 = 0.9,
        double SgdLearningRate = 0.05, double LabelNoise = 0.5)
    {
        /// <summary>Adam's β₂ = 1 − 10η² (the paper's scaling; 0.991 at η = 0.03).</summary>
        public double AdamBeta2 => 1 - 10 * AdamLearningRate * AdamLearningRate;

        /// <summary>A short description for the table.</summary>
        public override string ToString() =>
            $"d {Features}, k {NonZero} (β*_j uniform on (−1, 1)), n {Examples}, ±1 features, u = {InitScale}·N(0, I), v = 0, {Steps:N0} full-batch steps "
            + $"with ±{LabelNoise} label noise, cosine-annealed over the last {AnnealFraction:P0} (Adam η {AdamLearningRate}, β₁ {AdamBeta1}, β₂ {AdamBeta2:0.###}, "
            + $"ε {AdamEpsilon}; SGD η {SgdLearningRate})";
    }

    /// <summary>What one trained network ends with.</summary>
    /// <param name="SqrtDiagTrace">tr(diag(H)^½).</param>
    /// <param name="Trace">tr(H).</param>
    /// <param name="L1">‖β‖₁.</param>
    /// <param name="Large">How many |β_j| &gt; 10⁻².</param>
    /// <param name="TrainMse">Clean training MSE.</param>
    /// <param name="TestMse">MSE on 2,000 fresh examples (noise-free labels).</param>
    public sealed record Outcome(double SqrtDiagTrace, double Trace, double L1, int Large, double TrainMse, double TestMse);

    /// <summary>The ℓ1-minimal interpolator of the training data: SGD+LN's long-run target.</summary>
    /// <param name="L1">min ‖β‖₁ subject to Xβ = y; for ±1 features min tr(H) over the interpolators is 4·L1.</param>
    /// <param name="Large">How many of its |β_j| &gt; 10⁻².</param>
    /// <param name="TestMse">Its test MSE.</param>
    /// <param name="SignalL1">‖β*‖₁.</param>
    /// <param name="RepeatedColumns">Pairs of training feature columns equal up to sign: β_j and β_k then trade off at a fixed ‖β‖₁, so the ℓ1-minimal interpolators form a face rather than a point.</param>
    public sealed record L1Reference(double L1, int Large, double TestMse, double SignalL1, int RepeatedColumns);

    /// <summary>Relative tolerance under which two traces count as equal (the dense Hessian is float32).</summary>
    public const double TraceTolerance = 1e-3;

    /// <summary>One data draw: β*, the training data as arrays for the dynamics and as tensors for measuring, the test tensors.</summary>
    private sealed class Draw(float[] signal, double[] features, double[] labels, SupervisedTensors train, SupervisedTensors test) : IDisposable
    {
        public float[] Signal { get; } = signal;
        public double[] Features { get; } = features;
        public double[] Labels { get; } = labels;
        public SupervisedTensors Train { get; } = train;
        public SupervisedTensors Test { get; } = test;
        public void Dispose()
        {
            Train.Dispose();
            Test.Dispose();
        }
    }

    private static Draw MakeDraw(Setting setting, int seed)
    {
        var ml = new MLContext(seed: 0);
        var signal = SparseRegression.RandomSignal(setting.Features, setting.NonZero, seed: 3 * seed);
        var train = SparseRegression.Generate(ml, setting.Examples, signal, noise: 0.0, seed: 3 * seed + 1, SparseRegressionFeatures.Rademacher);
        var test = SparseRegression.Generate(ml, 2000, signal, noise: 0.0, seed: 3 * seed + 2, SparseRegressionFeatures.Rademacher);
        var trainTensors = SupervisedTensors.FromDataView(train, ColumnNames.Features, ColumnNames.Label, NetworkTask.Regression);
        var testTensors = SupervisedTensors.FromDataView(test, ColumnNames.Features, ColumnNames.Label, NetworkTask.Regression);
        var features = trainTensors.Features.data<float>().ToArray().Select(v => (double)v).ToArray();
        var labels = trainTensors.Labels.reshape(-1).data<float>().ToArray().Select(v => (double)v).ToArray();
        return new Draw(signal, features, labels, trainTensors, testTensors);
    }

    /// <summary>Trains one optimiser with label noise on a draw (plain C#, safe to run on any thread), then settles without noise.</summary>
    private static DiagonalNetworkDynamics Train(Setting setting, Draw draw, int seed, bool adam)
    {
        int d = setting.Features;
        var start = new Random(7919 * seed + 17);
        var u0 = Enumerable.Range(0, d).Select(_ => setting.InitScale * DiagonalNetworkDynamics.Gaussian(start)).ToArray();
        var dynamics = new DiagonalNetworkDynamics(draw.Features, draw.Labels, u0, new double[d])
        {
            RademacherNoise = true,
            AnnealFraction = setting.AnnealFraction,
        };
        var noise = new Random(1000 + seed);
        if (adam)
            dynamics.Adam(new AdamState(2 * d, setting.AdamLearningRate, setting.AdamBeta1, setting.AdamBeta2, setting.AdamEpsilon), setting.Steps, setting.LabelNoise, noise);
        else dynamics.Sgd(setting.Steps, setting.SgdLearningRate, setting.LabelNoise, noise);
        var settle = new DiagonalNetworkDynamics(draw.Features, draw.Labels, dynamics.U, dynamics.V);
        settle.Sgd(SettleSteps, SettleLearningRate, 0, null);
        return settle;
    }

    private static Outcome MeasureDynamics(Setting setting, DiagonalNetworkDynamics dynamics, Draw draw)
    {
        using var scope = torch.NewDisposeScope();
        var network = new DiagonalLinearNetwork(new DiagonalNetworkSpec(setting.Features, setting.InitScale));
        using (torch.no_grad())
        {
            network.U.copy_(torch.tensor(dynamics.U.Select(v => (float)v).ToArray()));
            network.V.copy_(torch.tensor(dynamics.V.Select(v => (float)v).ToArray()));
        }
        return Measure(network, draw.Train, draw.Test);
    }

    private static L1Reference Reference(Draw draw)
    {
        var build = MathNet.Numerics.LinearAlgebra.Vector<double>.Build;
        var l1 = MinimumL1Interpolator(ToMatrix(draw.Train.Features), build.DenseOfArray(draw.Labels));
        var yTest = build.DenseOfEnumerable(draw.Test.Labels.reshape(-1).data<float>().ToArray().Select(v => (double)v));
        double testMse = (ToMatrix(draw.Test.Features) * l1 - yTest).PointwisePower(2).Average();
        return new L1Reference(l1.L1Norm(), l1.Count(b => Math.Abs(b) > 1e-2), testMse, draw.Signal.Sum(b => Math.Abs((double)b)), RepeatedColumns(draw.Features, draw.Labels.Length));
    }

    /// <summary>How many pairs of columns of the n × d row-major <paramref name="features"/> are equal up to sign.</summary>
    internal static int RepeatedColumns(double[] features, int examples)
    {
        int d = features.Length / examples, pairs = 0;
        for (int j = 0; j < d; j++)
            for (int k = j + 1; k < d; k++)
            {
                bool same = true, opposite = true;
                for (int i = 0; i < examples && (same || opposite); i++)
                {
                    double a = features[i * d + j], b = features[i * d + k];
                    same &= a == b;
                    opposite &= a == -b;
                }
                if (same || opposite) pairs++;
            }
        return pairs;
    }

    /// <summary>
    /// Trains Adam and SGD, both with label noise, on the data draws of seeds 0 … <paramref name="seeds"/> − 1
    /// (the 2 × seeds runs in parallel on the available cores) and measures both.
    /// </summary>
    public static IReadOnlyList<(Outcome Adam, Outcome Sgd, L1Reference L1Min)> Run(Setting setting, int seeds)
    {
        var draws = Enumerable.Range(0, seeds).Select(seed => MakeDraw(setting, seed)).ToArray();
        try
        {
            var trained = new DiagonalNetworkDynamics[2 * seeds];
            Parallel.For(0, 2 * seeds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => trained[i] = Train(setting, draws[i / 2], i / 2, adam: i % 2 == 0));
            return Enumerable.Range(0, seeds)
                .Select(seed => (MeasureDynamics(setting, trained[2 * seed], draws[seed]), MeasureDynamics(setting, trained[2 * seed + 1], draws[seed]), Reference(draws[seed])))
                .ToList();
        }
        finally
        {
            foreach (var draw in draws) draw.Dispose();
        }
    }

    private static MathNet.Numerics.LinearAlgebra.Matrix<double> ToMatrix(Tensor features)
    {
        var values = features.data<float>().ToArray();
        int rows = (int)features.shape[0], columns = (int)features.shape[1];
        return MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(rows, columns, (i, j) => values[i * columns + j]);
    }

    /// <summary>
    /// Basis pursuit, min ‖β‖₁ subject to Xβ = y (and β ≥ 0 when <paramref name="nonNegative"/>), by ADMM
    /// (Boyd et al. 2011, §6.2): β ← projection of z − w onto {Xβ = y}, z ← soft-threshold(β + w, 1/ρ)
    /// (for β ≥ 0: max(β + w − 1/ρ, 0), the proximal map of Σβ_j + indicator(β ≥ 0)), w ← w + β − z;
    /// returns the feasible β.
    /// </summary>
    internal static MathNet.Numerics.LinearAlgebra.Vector<double> MinimumL1Interpolator(
        MathNet.Numerics.LinearAlgebra.Matrix<double> x, MathNet.Numerics.LinearAlgebra.Vector<double> y, int iterations = 20000, bool nonNegative = false)
    {
        var gramInverse = (x * x.Transpose()).Inverse();
        var build = MathNet.Numerics.LinearAlgebra.Vector<double>.Build;
        var beta = build.Dense(x.ColumnCount);
        var z = build.Dense(x.ColumnCount);
        var w = build.Dense(x.ColumnCount);
        for (int t = 0; t < iterations; t++)
        {
            var v = z - w;
            beta = v - x.TransposeThisAndMultiply(gramInverse * (x * v - y));
            z = nonNegative ? (beta + w).Map(a => Math.Max(a - 1.0, 0)) : (beta + w).Map(a => Math.Sign(a) * Math.Max(Math.Abs(a) - 1.0, 0));
            w += beta - z;
        }
        return beta;
    }

    /// <summary>Exact tr(H), tr(diag(H)^½) of the clean training loss, sparsity of β, train and test MSE.</summary>
    internal static Outcome Measure(DiagonalLinearNetwork network, SupervisedTensors train, SupervisedTensors test)
    {
        using var scope = torch.NewDisposeScope();
        var landscape = LossLandscape.ForSupervised(network, train, LossFunction.MeanSquaredError);
        var h = HessianMeasures.DenseHessian(landscape);
        double sqrtDiag = Enumerable.Range(0, h.RowCount).Sum(i => Math.Sqrt(Math.Max(0, h[i, i])));
        var beta = network.Beta().data<float>().ToArray();
        double trainMse, testMse;
        using (torch.no_grad())
        {
            trainMse = LossFunction.MeanSquaredError.Compute(network.call(train.Features), train.Labels).item<float>();
            testMse = LossFunction.MeanSquaredError.Compute(network.call(test.Features), test.Labels).item<float>();
        }
        return new Outcome(sqrtDiag, h.Trace(), beta.Sum(b => Math.Abs((double)b)), beta.Count(b => Math.Abs(b) > 1e-2), trainMse, testMse);
    }

    /// <summary>The counts behind the paper's claim over the draws of <paramref name="outcomes"/>.</summary>
    public static DiagonalNetworkClaim Claim(IReadOnlyList<(Outcome Adam, Outcome Sgd, L1Reference L1Min)> outcomes)
    {
        static double Median(IEnumerable<double> values) => MathNet.Numerics.Statistics.Statistics.Median(values.ToArray());
        return new DiagonalNetworkClaim(
            Seeds: outcomes.Count,
            LowerSqrtDiagTrace: outcomes.Count(o => o.Adam.SqrtDiagTrace < o.Sgd.SqrtDiagTrace),
            Sparser: outcomes.Count(o => o.Adam.Large < o.Sgd.Large),
            NotDenser: outcomes.Count(o => o.Adam.Large <= o.Sgd.Large),
            LowerTrace: outcomes.Count(o => o.Sgd.Trace < o.Adam.Trace * (1 - TraceTolerance)),
            NotHigherTrace: outcomes.Count(o => o.Sgd.Trace <= o.Adam.Trace * (1 + TraceTolerance)),
            SgdAtMinimum: outcomes.Count(o => Math.Abs(o.Sgd.Trace - 4 * o.L1Min.L1) <= TraceTolerance * o.Sgd.Trace),
            AdamAtMinimum: outcomes.Count(o => Math.Abs(o.Adam.Trace - 4 * o.L1Min.L1) <= TraceTolerance * o.Adam.Trace),
            BetterTest: outcomes.Count(o => o.Adam.TestMse < o.Sgd.TestMse),
            MeanSqrtDiagTrace: (outcomes.Average(o => o.Adam.SqrtDiagTrace), outcomes.Average(o => o.Sgd.SqrtDiagTrace)),
            MeanLarge: (outcomes.Average(o => o.Adam.Large), outcomes.Average(o => o.Sgd.Large)),
            MeanTrace: (outcomes.Average(o => o.Adam.Trace), outcomes.Average(o => o.Sgd.Trace)),
            MedianTestMse: (Median(outcomes.Select(o => o.Adam.TestMse)), Median(outcomes.Select(o => o.Sgd.TestMse))),
            MeanTestMse: (outcomes.Average(o => o.Adam.TestMse), outcomes.Average(o => o.Sgd.TestMse)),
            MeanTraceRatio: outcomes.Average(o => o.Sgd.Trace / o.Adam.Trace));
    }
}
