namespace SharpnessML.Transforms.Spectral;

/// <summary>The kind of layer a weight tensor belongs to, as the spectral metrics read it.</summary>
public enum SpectralLayerKind
{
    /// <summary>A 2-D weight [out, in] (linear layers, attention projections).</summary>
    Linear,

    /// <summary>A 4-D weight [out, in, k_h, k_w], read as its k_h·k_w slices W[:, :, i, j] with their eigenvalues pooled.</summary>
    Convolution,
}

/// <summary>
/// One layer's empirical spectral density — the eigenvalues λ_i = σ_i² of WᵀW — with its power-law fit and the
/// WeightWatcher metrics built on them (Martin and Mahoney 2021).
/// </summary>
/// <remarks>
/// log_norm = log₁₀ Σ_i λ_i = log₁₀ ‖W‖²_F; log_spectral_norm = log₁₀ λ_max = log₁₀ ‖W‖²₂;
/// stable_rank = Σ_i λ_i / λ_max; alpha = α of the tail p(λ) ∝ λ^(−α) (<see cref="PowerLawFit"/>);
/// alpha_weighted = α · log₁₀ λ_max. For a convolution the sums run over the eigenvalues of all slices.
/// </remarks>
public sealed class LayerSpectrum
{
    internal LayerSpectrum(string name, SpectralLayerKind kind, long[] shape, double[] eigenvalues, PowerLawFitResult fit)
    {
        Name = name;
        Kind = kind;
        Shape = shape;
        Eigenvalues = eigenvalues;
        Fit = fit;
        double sum = eigenvalues.Sum(), max = eigenvalues[0];
        LogNorm = Math.Log10(sum);
        LogSpectralNorm = Math.Log10(max);
        StableRank = sum / max;
    }

    /// <summary>The weight's name in the module, e.g. <c>layers.0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Linear or convolution.</summary>
    public SpectralLayerKind Kind { get; }

    /// <summary>The weight tensor's shape.</summary>
    public long[] Shape { get; }

    /// <summary>The eigenvalues of WᵀW (of every slice for a convolution), largest first.</summary>
    public double[] Eigenvalues { get; }

    /// <summary>The power-law fit of the eigenvalues above <see cref="SpectralOptions.FitThreshold"/>.</summary>
    public PowerLawFitResult Fit { get; }

    /// <summary>α of the fitted tail.</summary>
    public double Alpha => Fit.Alpha;

    /// <summary>α · log₁₀ λ_max.</summary>
    public double AlphaWeighted => Fit.Alpha * LogSpectralNorm;

    /// <summary>log₁₀ λ_max.</summary>
    public double LogSpectralNorm { get; }

    /// <summary>log₁₀ Σ λ_i.</summary>
    public double LogNorm { get; }

    /// <summary>Σ λ_i / λ_max.</summary>
    public double StableRank { get; }
}
