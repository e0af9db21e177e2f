using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Spectral;

/// <summary>
/// The data-free spectral metrics of a network (<see cref="SpectralAnalysis"/>): each layer's
/// (<see cref="LayerSpectrum"/>) and their means over the layers, which is how WeightWatcher's summary and Martin and
/// Mahoney (2021) report a network (α̂ = mean of α_l log₁₀ λ_max,l). The metrics of <c>alpha</c>,
/// <c>alpha-weighted</c>, <c>log-spectral-norm</c>, <c>stable-rank</c> and <c>log-norm</c>. Exact: no standard
/// error (each layer's α has Clauset's σ in <see cref="PowerLawFitResult.StandardError"/>).
/// </summary>
public sealed class SpectralMetrics : IMeasureMetrics
{
    internal SpectralMetrics(IReadOnlyList<LayerSpectrum> layers, IReadOnlyList<string> skipped)
    {
        Layers = layers;
        SkippedLayers = skipped;
        // No layer measured (a network whose weights are not finite has no spectrum): every metric is NaN.
        double Mean(Func<LayerSpectrum, double> metric) => layers.Count == 0 ? double.NaN : layers.Average(metric);
        Alpha = Mean(l => l.Alpha);
        AlphaWeighted = Mean(l => l.AlphaWeighted);
        LogSpectralNorm = Mean(l => l.LogSpectralNorm);
        StableRank = Mean(l => l.StableRank);
        LogNorm = Mean(l => l.LogNorm);
    }

    /// <summary>The layers measured, in the module's order.</summary>
    public IReadOnlyList<LayerSpectrum> Layers { get; }

    /// <summary>Weights skipped for having fewer than <see cref="SpectralOptions.MinEigenvalues"/> eigenvalues.</summary>
    public IReadOnlyList<string> SkippedLayers { get; }

    /// <summary>Mean α over the layers.</summary>
    public double Alpha { get; }

    /// <summary>Mean α · log₁₀ λ_max over the layers (Martin and Mahoney's α̂).</summary>
    public double AlphaWeighted { get; }

    /// <summary>Mean log₁₀ λ_max over the layers.</summary>
    public double LogSpectralNorm { get; }

    /// <summary>Mean stable rank over the layers.</summary>
    public double StableRank { get; }

    /// <summary>Mean log₁₀ ‖W‖²_F over the layers.</summary>
    public double LogNorm { get; }

    /// <summary>
    /// <c>alpha</c>, <c>alpha_weighted</c>, <c>log_spectral_norm</c>, <c>stable_rank</c>, <c>log_norm</c>, the layers'
    /// names (<c>layers</c>, space-separated), their <c>layer_alphas</c>, <c>layer_alpha_stderrs</c>, <c>layer_xmins</c>,
    /// <c>layer_ks_distances</c>, <c>layer_tails</c> and <c>layer_log_spectral_norms</c> (arrays in that order), and the
    /// <c>skipped</c> weights' names.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("alpha", Alpha), new("alpha_weighted", AlphaWeighted), new("log_spectral_norm", LogSpectralNorm),
        new("stable_rank", StableRank), new("log_norm", LogNorm), new("layer_alphas", Layers.Select(l => l.Alpha).ToArray()),
        new("layers", string.Join(" ", Layers.Select(l => l.Name))), new("layer_alpha_stderrs", Layers.Select(l => l.Fit.StandardError).ToArray()),
        new("layer_xmins", Layers.Select(l => l.Fit.XMin).ToArray()), new("layer_ks_distances", Layers.Select(l => l.Fit.KsDistance).ToArray()),
        new("layer_tails", Layers.Select(l => (double)l.Fit.TailCount).ToArray()),
        new("layer_log_spectral_norms", Layers.Select(l => l.LogSpectralNorm).ToArray()), new("skipped", string.Join(" ", SkippedLayers)),
    };
}
