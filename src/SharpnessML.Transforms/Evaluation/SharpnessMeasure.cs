using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// A measure with typed options and typed metrics, the shape of every built-in measure: it maps the shared
/// <see cref="MeasureSettings"/> to its own options (<see cref="OptionsFor"/>), computes its metrics from them
/// (<see cref="Compute"/>) and says which of their numbers are the result's value and standard error
/// (<see cref="Summarize"/>). Derive from it for a measure of your own, or implement <see cref="ISharpnessMeasure"/> directly.
/// </summary>
/// <typeparam name="TOptions">The measure's options, e.g. <see cref="Perturbation.WorstCaseSharpnessOptions"/>.</typeparam>
/// <typeparam name="TMetrics">The measure's metrics, e.g. <see cref="Perturbation.SharpnessMetrics"/>.</typeparam>
public abstract class SharpnessMeasure<TOptions, TMetrics> : ISharpnessMeasure
    where TOptions : class
    where TMetrics : class, IMeasureMetrics
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>The options <paramref name="settings"/> stand for: the settings that apply, the options' defaults otherwise.</summary>
    /// <param name="settings">The shared settings.</param>
    /// <param name="landscape">The landscape to be measured, for options that depend on it (e.g. how many eigenvalues it has); null for none.</param>
    public abstract TOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null);

    /// <summary>Takes the measure of <paramref name="landscape"/> with <paramref name="options"/>.</summary>
    public abstract TMetrics Compute(LossLandscape landscape, TOptions options);

    /// <summary>The value and standard error (null when there is none) that <paramref name="metrics"/> report.</summary>
    protected abstract (double Value, double? StandardError) Summarize(TMetrics metrics);

    /// <inheritdoc />
    public MeasureResult Measure(LossLandscape landscape, MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(settings);
        var metrics = Compute(landscape, OptionsFor(settings, landscape));
        var (value, standardError) = Summarize(metrics);
        return new MeasureResult(Name, value, standardError, metrics);
    }
}
