using System.Diagnostics;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// PAC-Bayes flatness (Jiang et al., 2019, Sec. 5 and App. C; Dziugaite et al., 2020): bisection for
/// the largest σ such that Gaussian weight noise u (u ~ N(0, σ²I), or u_i ~ N(0, σ²w_i² + ε²) when
/// magnitude-aware) lowers the expected training accuracy by at most d, i.e.
/// acc(w) − E_u[acc(w+u)] ≤ d; the measure is 1/σ². Without an accuracy (regression) the expected
/// relative increase of the training loss takes its place. Measured in evaluation mode; the model is
/// restored bit for bit.
/// </summary>
/// <remarks>
/// Every σ is evaluated with the same seeded standard-normal draws z (u = std(σ)·z, common random
/// numbers), so the estimated deviation is a deterministic, nearly monotone function of σ and the
/// bisection compares σ values without fresh Monte Carlo noise between them. The deviation is the
/// signed drop (the authors' code takes its absolute value, which differs only if noise raises the
/// accuracy by more than d). A NaN deviation (a diverging network) counts as above target.
/// </remarks>
public static class PacBayesFlatness
{
    private const double LossFloor = 1e-12;

    /// <summary>Finds σ for <paramref name="landscape"/>.</summary>
    /// <param name="landscape">The landscape; its <see cref="LossLandscape.Supervised"/> problem supplies the accuracy of a classifier.</param>
    /// <param name="options">Search settings.</param>
    /// <param name="accuracy">
    /// Optional accuracy on the examples at the given int64 indices (all when null) as a 0-d tensor,
    /// for classifiers whose landscape has no <see cref="SupervisedProblem"/>; overrides it when given.
    /// </param>
    public static PacBayesMetrics Estimate(LossLandscape landscape, PacBayesFlatnessOptions options, Func<Tensor?, Tensor>? accuracy = null)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Parameters is { } filter) landscape = landscape.WithParameters(filter);
        accuracy ??= landscape.Supervised is { IsClassification: true } problem ? problem.Accuracy : null;
        var criterion = options.Criterion switch
        {
            PacBayesCriterion.Auto => accuracy is null ? PacBayesCriterion.RelativeLossIncrease : PacBayesCriterion.AccuracyDrop,
            var explicitCriterion => explicitCriterion,
        };
        if (criterion == PacBayesCriterion.AccuracyDrop && accuracy is null)
            throw new ArgumentException("The accuracy-drop criterion needs a classifier: a supervised cross-entropy landscape or an accuracy function.", nameof(accuracy));
        double target = criterion == PacBayesCriterion.AccuracyDrop ? options.Deviation : options.RelativeLossIncrease;

        var clock = Stopwatch.StartNew();
        var parameters = landscape.Parameters;
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var outer = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var weights = ParameterVectors.Clone(parameters);
        var squares = weights.Select(w => w.square()).ToArray();
        var subset = ExampleSubset.Choose(landscape.ExampleCount, options.MaxExamples, SubsetSeed(options.Seed), parameters[0].device);
        var chunks = ExampleSubset.Split(subset, options.ChunkSize).ToList();
        int examples = (int)subset.shape[0];

        double Evaluate()
        {
            double total = 0;
            foreach (var (indices, weight) in chunks)
            {
                using var scope = torch.NewDisposeScope();
                var value = criterion == PacBayesCriterion.AccuracyDrop ? accuracy!(indices) : landscape.Loss(indices);
                total += weight * value.to(float64).item<double>();
            }
            return total;
        }

        double baseValue = Evaluate();
        if (!double.IsFinite(baseValue) || weights.Any(w => !w.isfinite().all().item<bool>()))
        {
            // Non-finite weights (a diverged model): the loss has no value, so there is no σ to find; flatness is NaN.
            return new PacBayesMetrics(options, options.MeasureName, criterion, target, baseValue, new List<(double, double)> { (double.NaN, double.NaN) },
                false, double.NaN, double.NaN, examples, clock.Elapsed);
        }

        double DeviationAt(double sigma)
        {
            using var generator = new torch.Generator(NoiseSeed(options.Seed));
            double sum = 0;
            for (int s = 0; s < options.Samples; s++)
            {
                using var sampleScope = torch.NewDisposeScope();
                var z = ParameterVectors.Gaussian(weights, generator);
                var perturbed = weights.Select((w, i) => w + z[i] * StandardDeviation(squares[i], sigma, options)).ToArray();
                ParameterVectors.Assign(parameters, perturbed);
                sum += Evaluate();
            }
            ParameterVectors.Assign(parameters, weights);
            double mean = sum / options.Samples;
            return criterion == PacBayesCriterion.AccuracyDrop
                ? baseValue - mean
                : (mean - baseValue) / Math.Max(baseValue, LossFloor);
        }

        double lower = options.SigmaMin, upper = options.SigmaMax;
        var steps = new List<(double Sigma, double Deviation)>();
        bool converged = false;
        for (int step = 0; step < options.MaxSteps; step++)
        {
            double sigma = 0.5 * (lower + upper);
            double deviation = DeviationAt(sigma);
            steps.Add((sigma, deviation));
            if (Math.Abs(deviation - target) <= options.DeviationTolerance)
            {
                converged = true;
                break;
            }
            if (deviation <= target) lower = sigma; // not perturbed enough: σ can grow
            else upper = sigma;                     // too much (or NaN): σ must shrink
        }
        return new PacBayesMetrics(options, options.MeasureName, criterion, target, baseValue, steps, converged, lower, upper, examples, clock.Elapsed);
    }

    /// <summary>Per-entry noise scale: σ (plain) or √(σ²w² + ε²) (magnitude-aware).</summary>
    private static Tensor StandardDeviation(Tensor square, double sigma, PacBayesFlatnessOptions options) =>
        options.MagnitudeAware
            ? (square * (sigma * sigma) + options.Epsilon * options.Epsilon).sqrt()
            : torch.full_like(square, sigma);

    private static ulong SubsetSeed(int seed) => unchecked((ulong)seed * 2_654_435_761UL + 17UL);

    private static ulong NoiseSeed(int seed) => unchecked((ulong)seed * 1_000_003UL + 7_919UL);
}
