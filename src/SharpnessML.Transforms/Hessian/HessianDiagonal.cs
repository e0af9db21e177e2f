using SharpnessML.Transforms.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>Settings of <see cref="HessianDiagonal"/>.</summary>
public sealed class DiagonalOptions : HessianOptions
{
    /// <summary>Rademacher vectors (= Hessian-vector products), at least 2. Default 100 (PyHessian's trace budget, <c>maxIter = 100</c>).</summary>
    public int Samples { get; set; } = 100;

    /// <summary>
    /// Stop once the relative standard error of the whole diagonal, ‖SE‖₂ / ‖Ĥ_diag‖₂
    /// (<see cref="DiagonalResult.RelativeStandardError"/>), is at most this, checked from <see cref="MinSamples"/> on;
    /// <see cref="Samples"/> is then the maximum. 0 (the default) always uses <see cref="Samples"/>.
    /// </summary>
    public double Tolerance { get; set; }

    /// <summary>Samples taken before the standard errors are trusted for early stopping. Default 10 (as <see cref="HutchinsonOptions.MinSamples"/>).</summary>
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
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be ≥ 0.");
        if (MinSamples < 2) throw new ArgumentOutOfRangeException(nameof(MinSamples), MinSamples, "MinSamples must be at least 2.");
        if (Samples < 2) throw new ArgumentOutOfRangeException(nameof(Samples), Samples, "Samples must be at least 2 (the standard errors need two).");
    }
}

/// <summary>
/// The Hessian diagonal by Hutchinson's method: diag(H) = E[z ⊙ Hz] for Rademacher z (Bekas,
/// Kokiopoulou and Saad 2007; the estimator AdaHessian uses). Entry i of one sample is
/// H_ii + Σ_{j≠i} H_ij z_i z_j, so its variance is Σ_{j≠i} H_ij²: exact for a diagonal H, noisy
/// where rows carry large off-diagonal mass. From the estimate: tr(diag(H)^{1/2}) (Li, Wen &amp; Lyu 2025)
/// and Σ H_ii², as documented on <see cref="DiagonalResult"/>.
/// </summary>
public static class HessianDiagonal
{
    /// <summary>Estimates the diagonal of <paramref name="op"/> with per-entry standard errors.</summary>
    public static DiagonalResult Estimate(ILinearOperator op, DiagonalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new DiagonalOptions();
        options.Validate();
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator((ulong)options.Seed);
        // Welford's update, entry-wise.
        var mean = torch.zeros(op.Dimension, dtype: float64, device: op.Device);
        var m2 = torch.zeros(op.Dimension, dtype: float64, device: op.Device);
        int m = 0;
        while (m < options.Samples)
        {
            using var step = torch.NewDisposeScope();
            var z = FlatVectors.Rademacher(op, generator);
            var sample = z * op.Multiply(z);
            m++;
            var delta = sample - mean;
            mean.add_(delta / m);
            m2.add_(delta * (sample - mean));
            if (options.Tolerance > 0 && m >= options.MinSamples && m < options.Samples
                && Relative(m2 / ((m - 1.0) * m), mean) is { } relative && relative <= options.Tolerance) break;
        }
        var variances = m2 / ((m - 1.0) * m);
        var standardErrors = variances.sqrt();
        var diagonal = mean.cpu().data<double>().ToArray();
        var errors = standardErrors.cpu().data<double>().ToArray();

        double sqrtTrace = 0, sumOfSquares = 0;
        int negative = 0;
        for (int i = 0; i < diagonal.Length; i++)
        {
            if (diagonal[i] < 0) negative++;
            else sqrtTrace += Math.Sqrt(diagonal[i]);
            sumOfSquares += diagonal[i] * diagonal[i] - errors[i] * errors[i];
        }
        return new DiagonalResult(diagonal, errors, sqrtTrace, negative, sumOfSquares, m, m, Relative(variances, mean));
    }

    /// <summary>√(Σ SE_i²) / √(Σ Ĥ_ii²) from the entry-wise variances of the mean; null when the estimate is all zeros.</summary>
    private static double? Relative(Tensor variances, Tensor mean)
    {
        double norm = mean.norm().item<double>();
        return norm > 0 ? Math.Sqrt(variances.sum().item<double>()) / norm : null;
    }
}
