using SharpnessML.Transforms.Evaluation;
using TorchSharp;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Settings of <see cref="Hutchinson"/>.</summary>
public sealed class HutchinsonOptions : HessianOptions
{
    /// <summary>Maximum number of Rademacher vectors (= Hessian-vector products). Default 100 (PyHessian's <c>maxIter = 100</c>).</summary>
    public int MaxSamples { get; set; } = 100;

    /// <summary>
    /// Stop early once the standard error is at most this fraction of |estimate| (checked from
    /// <see cref="MinSamples"/> on); 0 always uses <see cref="MaxSamples"/>. Default 1e-3 (PyHessian's
    /// <c>tol = 1e-3</c>, which PyHessian applies to the change of the running mean instead).
    /// </summary>
    public double Tolerance { get; set; } = 1e-3;

    /// <summary>Samples taken before the standard error is trusted for early stopping. Default 10.</summary>
    public int MinSamples { get; set; } = 10;

    /// <summary>The shared settings, and <see cref="MeasureSettings.Tolerance"/> as <see cref="Tolerance"/>.</summary>
    protected internal override void Apply(MeasureSettings settings)
    {
        base.Apply(settings);
        if (settings.Tolerance is { } tolerance) Tolerance = tolerance;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (MaxSamples < 1) throw new ArgumentOutOfRangeException(nameof(MaxSamples), MaxSamples, "MaxSamples must be at least 1.");
        if (MinSamples < 2) throw new ArgumentOutOfRangeException(nameof(MinSamples), MinSamples, "MinSamples must be at least 2.");
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be ≥ 0.");
    }
}

/// <summary>
/// Hutchinson's trace estimator: tr(H) = E[zᵀHz] for Rademacher z (entries ±1), averaged over
/// samples, with its standard error.
/// </summary>
public static class Hutchinson
{
    /// <summary>Estimates tr(<paramref name="op"/>).</summary>
    public static TraceResult Trace(ILinearOperator op, HutchinsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new HutchinsonOptions();
        options.Validate();
        using var generator = new torch.Generator((ulong)options.Seed);
        var stats = new RunningMoments();
        for (int i = 0; i < options.MaxSamples; i++)
        {
            using var scope = torch.NewDisposeScope();
            var z = FlatVectors.Rademacher(op, generator);
            stats.Add(FlatVectors.Dot(z, op.Multiply(z)));
            if (Reached(options.Tolerance, options.MinSamples, stats.Count, stats.StandardError, stats.Mean)) break;
        }
        return new TraceResult(stats.Mean, stats.StandardError, stats.Count, stats.Count, TraceMethod.Hutchinson);
    }

    /// <summary>Whether the running estimate has reached the relative <paramref name="tolerance"/> (0 = never): SE ≤ tol·|estimate| after <paramref name="minSamples"/>.</summary>
    internal static bool Reached(double tolerance, int minSamples, int count, double? standardError, double estimate) =>
        tolerance > 0 && count >= minSamples && standardError <= tolerance * Math.Abs(estimate);
}

/// <summary>Mean, and standard error of the mean, of a stream of numbers (Welford's update).</summary>
internal sealed class RunningMoments
{
    private double m2;

    public int Count { get; private set; }

    public double Mean { get; private set; }

    /// <summary>Sample standard deviation over √count; null with fewer than two values.</summary>
    public double? StandardError => Count < 2 ? null : Math.Sqrt(m2 / (Count - 1) / Count);

    public void Add(double x)
    {
        Count++;
        double delta = x - Mean;
        Mean += delta / Count;
        m2 += delta * (x - Mean);
    }
}
