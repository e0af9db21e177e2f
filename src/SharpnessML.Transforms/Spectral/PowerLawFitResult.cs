namespace SharpnessML.Transforms.Spectral;

/// <summary>A power-law fit of a sample's tail (<see cref="PowerLawFit.Fit"/>).</summary>
public sealed class PowerLawFitResult
{
    internal PowerLawFitResult(double alpha, double xMin, double ksDistance, double standardError, int tailCount, double xMax)
    {
        Alpha = alpha;
        XMin = xMin;
        KsDistance = ksDistance;
        StandardError = standardError;
        TailCount = tailCount;
        XMax = xMax;
    }

    /// <summary>α, the exponent of p(x) ∝ x^(−α) on the tail (maximum likelihood).</summary>
    public double Alpha { get; }

    /// <summary>x_min, where the tail begins (the candidate with the smallest KS distance).</summary>
    public double XMin { get; }

    /// <summary>The Kolmogorov–Smirnov distance between the tail's empirical CDF and the fitted law's.</summary>
    public double KsDistance { get; }

    /// <summary>σ = (α − 1)/√n, Clauset et al.'s standard error of α on n tail values.</summary>
    public double StandardError { get; }

    /// <summary>n, the number of values x ≥ x_min the law was fitted to.</summary>
    public int TailCount { get; }

    /// <summary>The largest value.</summary>
    public double XMax { get; }
}
