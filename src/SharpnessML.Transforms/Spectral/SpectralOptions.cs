using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Spectral;

/// <summary>Options of the data-free spectral metrics (<see cref="SpectralAnalysis"/>); the defaults are WeightWatcher's.</summary>
public sealed class SpectralOptions
{
    /// <summary>
    /// Layers with fewer eigenvalues than this (min(out, in), times the kernel size for a convolution) are skipped.
    /// Default 10 (WeightWatcher's <c>min_evals</c>).
    /// </summary>
    public int MinEigenvalues { get; set; } = 10;

    /// <summary>Eigenvalues at or below this are left out of the power-law fit (not of the norms). Default 1e-5 (WeightWatcher's <c>EVALS_THRESH</c>).</summary>
    public double FitThreshold { get; set; } = 1e-5;

    /// <summary>
    /// Scale each k_h×k_w convolution slice by √(k_h·k_w / 2) before its eigenvalues are taken, so a convolution's
    /// eigenvalues are those of its slices times k_h·k_w/2. Default true (WeightWatcher's <c>conv2d_norm</c>).
    /// </summary>
    public bool NormalizeConvolutions { get; set; } = true;

    /// <summary>Which parameters count; every weight (2-D or 4-D tensor) of the landscape when null.</summary>
    public ParameterFilter? Parameters { get; set; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MinEigenvalues < 2) throw new ArgumentOutOfRangeException(nameof(MinEigenvalues), MinEigenvalues, "MinEigenvalues must be at least 2.");
        if (!(FitThreshold >= 0) || double.IsInfinity(FitThreshold))
            throw new ArgumentOutOfRangeException(nameof(FitThreshold), FitThreshold, "FitThreshold must be a finite number ≥ 0.");
    }
}
