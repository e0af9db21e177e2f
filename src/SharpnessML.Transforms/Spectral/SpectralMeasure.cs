using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Spectral;

/// <summary>Which network mean of <see cref="SpectralMetrics"/> a <see cref="SpectralMeasure"/> reports.</summary>
public enum SpectralQuantity
{
    /// <summary><c>alpha</c>: mean power-law exponent α of the layers' spectra.</summary>
    Alpha,

    /// <summary><c>alpha-weighted</c>: mean α · log₁₀ λ_max (Martin and Mahoney's α̂).</summary>
    AlphaWeighted,

    /// <summary><c>log-spectral-norm</c>: mean log₁₀ λ_max = log₁₀ ‖W‖²₂.</summary>
    LogSpectralNorm,

    /// <summary><c>stable-rank</c>: mean ‖W‖²_F / ‖W‖²₂.</summary>
    StableRank,

    /// <summary><c>log-norm</c>: mean log₁₀ ‖W‖²_F.</summary>
    LogNorm,
}

/// <summary>
/// A data-free spectral metric by name (<see cref="SpectralAnalysis"/>): <c>alpha</c>, <c>alpha-weighted</c>,
/// <c>log-spectral-norm</c>, <c>stable-rank</c> or <c>log-norm</c>. It reads the weights only, so it runs on a
/// landscape without data (<see cref="LossLandscape.WithoutData"/>); no setting applies. The metrics are
/// <see cref="SpectralMetrics"/> (all five, and each layer's).
/// </summary>
public sealed class SpectralMeasure : SharpnessMeasure<SpectralOptions, SpectralMetrics>, IDataFreeMeasure
{
    /// <summary>The measure that reports <paramref name="quantity"/>.</summary>
    public SpectralMeasure(SpectralQuantity quantity)
    {
        if (!Enum.IsDefined(quantity)) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Unknown spectral quantity.");
        Quantity = quantity;
    }

    /// <summary>The network mean reported as the value.</summary>
    public SpectralQuantity Quantity { get; }

    /// <inheritdoc />
    public override string Name => Quantity switch
    {
        SpectralQuantity.Alpha => "alpha",
        SpectralQuantity.AlphaWeighted => "alpha-weighted",
        SpectralQuantity.LogSpectralNorm => "log-spectral-norm",
        SpectralQuantity.StableRank => "stable-rank",
        _ => "log-norm",
    };

    /// <summary>The defaults of <see cref="SpectralOptions"/> (WeightWatcher's); no setting applies.</summary>
    public override SpectralOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null) => new();

    /// <inheritdoc />
    public override SpectralMetrics Compute(LossLandscape landscape, SpectralOptions options) => SpectralAnalysis.Compute(landscape, options);

    /// <summary>The chosen mean; exact, so without a standard error.</summary>
    protected override (double Value, double? StandardError) Summarize(SpectralMetrics metrics) => (Quantity switch
    {
        SpectralQuantity.Alpha => metrics.Alpha,
        SpectralQuantity.AlphaWeighted => metrics.AlphaWeighted,
        SpectralQuantity.LogSpectralNorm => metrics.LogSpectralNorm,
        SpectralQuantity.StableRank => metrics.StableRank,
        _ => metrics.LogNorm,
    }, null);

    /// <summary>A new instance of every spectral measure.</summary>
    internal static IEnumerable<ISharpnessMeasure> All() => Enum.GetValues<SpectralQuantity>().Select(q => new SpectralMeasure(q));
}
