using SharpnessML.Transforms.Evaluation;
using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// <c>landscape-1d-sharpness</c> by name (<see cref="FilterNormalizedSharpness"/>): ρ sets the step α, batches the
/// number of directions and the batch size the examples (drawn once); the value is the mean increase of the loss.
/// </summary>
public sealed class FilterNormalizedSharpnessMeasure : SharpnessMeasure<FilterNormalizedSharpnessOptions, FilterNormalizedSharpnessMetrics>
{
    /// <summary>The registered name, <c>landscape-1d-sharpness</c>.</summary>
    public const string MeasureName = "landscape-1d-sharpness";

    /// <inheritdoc />
    public override string Name => MeasureName;

    /// <summary>ρ → <see cref="FilterNormalizedSharpnessOptions.Step"/>, batches → directions, batch size → examples, the seed; the options' defaults otherwise.</summary>
    public override FilterNormalizedSharpnessOptions OptionsFor(MeasureSettings settings, LossLandscape? landscape = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new FilterNormalizedSharpnessOptions { Seed = settings.Seed };
        settings.ApplyTo(rho => options.Step = rho, m => options.ExampleCount = m, batches => options.Directions = batches);
        return options;
    }

    /// <inheritdoc />
    public override FilterNormalizedSharpnessMetrics Compute(LossLandscape landscape, FilterNormalizedSharpnessOptions options) =>
        FilterNormalizedSharpness.Estimate(landscape, options);

    /// <inheritdoc />
    protected override (double Value, double? StandardError) Summarize(FilterNormalizedSharpnessMetrics metrics) => (metrics.Sharpness, metrics.StandardError);
}
