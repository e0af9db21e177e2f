using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// The result of a PAC-Bayes flatness search (<see cref="PacBayesFlatness"/>): σ, the flatness 1/σ², how σ was
/// found and the search's settings. The metrics of <c>pac-bayes</c> and <c>pac-bayes-plain</c>.
/// </summary>
/// <remarks>
/// σ is the largest noise scale with acc(w) − E_u[acc(w+u)] ≤ d (or, without an accuracy, a relative loss
/// increase (E_u[L(w+u)] − L(w)) / L(w) ≤ the target), found by bisection; <see cref="Flatness"/> = 1/σ². The
/// search is deterministic given the seed (common random numbers at every σ), so it has no standard error.
/// </remarks>
public sealed class PacBayesMetrics : IMeasureMetrics
{
    /// <summary>Creates the metrics.</summary>
    /// <param name="options">The search's options (copied).</param>
    /// <param name="measure">Name of the measure.</param>
    /// <param name="criterion">The criterion used (never <see cref="PacBayesCriterion.Auto"/>).</param>
    /// <param name="target">The target deviation.</param>
    /// <param name="baseValue">Training accuracy or loss at w.</param>
    /// <param name="steps">Each bisection step's σ and estimated deviation, in order; the last one is the answer.</param>
    /// <param name="converged">Whether the search stopped because the deviation came within tolerance of the target.</param>
    /// <param name="lower">Lower end of the final bracket.</param>
    /// <param name="upper">Upper end of the final bracket.</param>
    /// <param name="examples">Number of training examples evaluated.</param>
    /// <param name="elapsed">Wall time.</param>
    internal PacBayesMetrics(PacBayesFlatnessOptions options, string measure, PacBayesCriterion criterion, double target, double baseValue,
        IReadOnlyList<(double Sigma, double Deviation)> steps, bool converged, double lower, double upper, int examples, TimeSpan elapsed)
    {
        if (steps.Count == 0) throw new ArgumentException("At least one bisection step is needed.", nameof(steps));
        Measure = measure;
        Criterion = criterion;
        Target = target;
        BaseValue = baseValue;
        Steps = steps;
        Converged = converged;
        Lower = lower;
        Upper = upper;
        Examples = examples;
        Elapsed = elapsed;
        MagnitudeAware = options.MagnitudeAware;
        Epsilon = options.Epsilon;
        DeviationTolerance = options.DeviationTolerance;
        SigmaMax = options.SigmaMax;
        MaxSteps = options.MaxSteps;
        Samples = options.Samples;
    }

    /// <summary>Name of the measure, <c>pac-bayes</c> or <c>pac-bayes-plain</c>.</summary>
    public string Measure { get; }

    /// <summary>σ found: the last σ tried (the midpoint whose deviation met the tolerance, or the last midpoint after the step budget).</summary>
    public double Sigma => Steps[^1].Sigma;

    /// <summary>Flatness 1/σ² (Jiang et al.'s <c>pacbayes.flatness</c> / <c>pacbayes.mag.flatness</c>); larger is sharper.</summary>
    public double Flatness => 1.0 / (Sigma * Sigma);

    /// <summary>The criterion used: accuracy drop (classifiers) or relative loss increase.</summary>
    public PacBayesCriterion Criterion { get; }

    /// <summary>The target deviation (d for accuracy, the relative increase for loss).</summary>
    public double Target { get; }

    /// <summary>Estimated deviation at <see cref="Sigma"/>.</summary>
    public double DeviationAtSigma => Steps[^1].Deviation;

    /// <summary>Training accuracy (accuracy criterion) or training loss (loss criterion) at the unperturbed weights.</summary>
    public double BaseValue { get; }

    /// <summary>Every σ tried and its estimated deviation, in order.</summary>
    public IReadOnlyList<(double Sigma, double Deviation)> Steps { get; }

    /// <summary>True when the search stopped with |deviation − target| within tolerance; false when it ran out of steps.</summary>
    public bool Converged { get; }

    /// <summary>Lower end of the final bracket (largest σ seen below target, or the search minimum).</summary>
    public double Lower { get; }

    /// <summary>Upper end of the final bracket (smallest σ seen above target, or the search maximum).</summary>
    public double Upper { get; }

    /// <summary>Number of training examples evaluated.</summary>
    public int Examples { get; }

    /// <summary>Wall time of the search.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Whether the noise was magnitude-aware, u_i ~ N(0, σ²w_i² + ε²), rather than u ~ N(0, σ²I).</summary>
    public bool MagnitudeAware { get; }

    /// <summary>ε of magnitude-aware noise (unused for plain noise).</summary>
    public double Epsilon { get; }

    /// <summary>The search stopped once the deviation was within this distance of the target.</summary>
    public double DeviationTolerance { get; }

    /// <summary>Upper end of the σ search interval.</summary>
    public double SigmaMax { get; }

    /// <summary>The bisection's step budget.</summary>
    public int MaxSteps { get; }

    /// <summary>Monte Carlo noise draws per σ.</summary>
    public int Samples { get; }

    /// <summary>
    /// <c>sigma</c>, <c>criterion</c> (<c>accuracy-drop</c> or <c>relative-loss-increase</c>), <c>target</c>,
    /// <c>deviation_at_sigma</c>, <c>base_value</c>, <c>bisection_steps</c>, <c>converged</c>, <c>lower</c>, <c>upper</c>,
    /// <c>tolerance</c>, <c>sigma_max</c>, <c>max_steps</c>, <c>samples</c>, <c>examples</c>, <c>seconds</c>, and
    /// <c>epsilon</c> for magnitude-aware noise.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details()
    {
        var details = new List<KeyValuePair<string, object>>
        {
            new("sigma", Sigma), new("criterion", Criterion == PacBayesCriterion.AccuracyDrop ? "accuracy-drop" : "relative-loss-increase"),
            new("target", Target), new("deviation_at_sigma", DeviationAtSigma), new("base_value", BaseValue),
            new("bisection_steps", Steps.Count), new("converged", Converged), new("lower", Lower), new("upper", Upper),
            new("tolerance", DeviationTolerance), new("sigma_max", SigmaMax), new("max_steps", MaxSteps),
            new("samples", Samples), new("examples", Examples), new("seconds", Elapsed.TotalSeconds),
        };
        if (MagnitudeAware) details.Add(new("epsilon", Epsilon));
        return details;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Measure}: 1/σ² = {Flatness:G6} (σ = {Sigma:G6}, deviation {DeviationAtSigma:G4} vs {Target}, {Steps.Count} steps{(Converged ? "" : ", not converged")})";
}
