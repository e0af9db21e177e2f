namespace SharpnessML.Transforms.Spectral;

/// <summary>
/// A continuous power law p(x) ∝ x^(−α) for x ≥ x_min fitted to the tail of a sample, as Clauset, Shalizi and
/// Newman (2009, "Power-law distributions in empirical data", Sec. 3) prescribe and WeightWatcher does for the
/// empirical spectral density of a weight matrix: for every candidate x_min (each sample value but the largest) α is
/// the maximum-likelihood estimate on the n values x_i ≥ x_min,
/// α = 1 + n / Σ_i ln(x_i / x_min), and the x_min kept is the one whose fitted law is closest to the tail's
/// empirical distribution in Kolmogorov–Smirnov distance.
/// </summary>
/// <remarks>
/// The KS distance of a candidate is D = max_j |P(x_(j)) − j/n| over the tail's sorted values x_(0) ≤ … ≤ x_(n−1),
/// with P(x) = 1 − (x/x_min)^(1−α) the fitted law's CDF and j/n the empirical CDF just below x_(j) — the
/// convention of the <c>powerlaw</c> package and of WeightWatcher, so α is comparable with theirs. The standard error
/// is Clauset et al.'s σ = (α − 1)/√n. Candidates whose α is not finite and greater than 1 are skipped.
/// </remarks>
public static class PowerLawFit
{
    /// <summary>Fits the tail of <paramref name="values"/> (positive numbers, any order; at least two distinct).</summary>
    /// <exception cref="ArgumentException">Fewer than two values, a value that is not positive and finite, or no candidate gives a finite α &gt; 1.</exception>
    public static PowerLawFitResult Fit(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2) throw new ArgumentException($"A power-law fit needs at least two values; got {values.Count}.", nameof(values));
        var x = values.ToArray();
        foreach (var v in x)
            if (!(v > 0) || double.IsInfinity(v)) throw new ArgumentException($"Power-law fits take positive finite values; got {v}.", nameof(values));
        Array.Sort(x);
        int count = x.Length;
        var logs = x.Select(v => Math.Log(v)).ToArray();
        // Suffix sums of ln x so each candidate's MLE costs O(1).
        var tailLogSum = new double[count + 1];
        for (int i = count - 1; i >= 0; i--) tailLogSum[i] = tailLogSum[i + 1] + logs[i];

        int best = -1;
        double bestDistance = double.PositiveInfinity, bestAlpha = double.NaN;
        for (int i = 0; i < count - 1; i++)
        {
            double n = count - i;
            double denominator = tailLogSum[i] - n * logs[i];
            if (!(denominator > 0)) continue; // all tail values equal x_min: no finite α
            double alpha = 1 + n / denominator;
            if (!(alpha > 1) || double.IsInfinity(alpha)) continue;
            double distance = 0;
            for (int j = i; j < count; j++)
            {
                double model = 1 - Math.Exp((1 - alpha) * (logs[j] - logs[i]));
                double empirical = (j - i) / n;
                distance = Math.Max(distance, Math.Abs(model - empirical));
            }
            if (distance < bestDistance)
            {
                bestDistance = distance;
                bestAlpha = alpha;
                best = i;
            }
        }
        if (best < 0) throw new ArgumentException("No candidate x_min gives a finite power-law exponent (are all values equal?).", nameof(values));
        int tail = count - best;
        return new PowerLawFitResult(bestAlpha, x[best], bestDistance, (bestAlpha - 1) / Math.Sqrt(tail), tail, x[^1]);
    }
}
