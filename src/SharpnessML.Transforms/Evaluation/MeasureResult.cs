namespace SharpnessML.Transforms.Evaluation;

/// <summary>One measure's value on one model, as the CLI and model selection report it, with the measure's typed metrics.</summary>
public sealed class MeasureResult
{
    /// <summary>Creates the result.</summary>
    /// <param name="measure">The measure's name, e.g. <c>adaptive-worst-linf</c>.</param>
    /// <param name="value">Its value.</param>
    /// <param name="standardError">Standard error of a stochastic estimate, or null when there is none (an exact value, or a single sample).</param>
    /// <param name="metrics">The measure's typed metrics (settings and by-products).</param>
    public MeasureResult(string measure, double value, double? standardError, IMeasureMetrics metrics)
    {
        ArgumentException.ThrowIfNullOrEmpty(measure);
        ArgumentNullException.ThrowIfNull(metrics);
        if (standardError is { } se && double.IsNaN(se))
            throw new ArgumentException("A standard error that does not exist is null, not NaN.", nameof(standardError));
        Measure = measure;
        Value = value;
        StandardError = standardError;
        Metrics = metrics;
    }

    /// <summary>The measure's name, e.g. <c>adaptive-worst-linf</c>.</summary>
    public string Measure { get; }

    /// <summary>Its value.</summary>
    public double Value { get; }

    /// <summary>Standard error of a stochastic estimate, or null when there is none (an exact value, or a single sample).</summary>
    public double? StandardError { get; }

    /// <summary>
    /// The measure's typed metrics: <see cref="Perturbation.SharpnessMetrics"/> for the perturbation and geodesic
    /// measures, <see cref="Hessian.HessianDensityMetrics"/> for <c>hessian-density</c>, and so on (each
    /// measure's documentation names its type).
    /// </summary>
    public IMeasureMetrics Metrics { get; }

    /// <summary>The metrics as <typeparamref name="TMetrics"/>, e.g. <c>result.MetricsAs&lt;HessianDensityMetrics&gt;().Grid</c>.</summary>
    /// <exception cref="InvalidOperationException">The metrics are of another type (the message names both).</exception>
    public TMetrics MetricsAs<TMetrics>() where TMetrics : class, IMeasureMetrics =>
        Metrics as TMetrics ?? throw new InvalidOperationException(
            $"The metrics of '{Measure}' are {Metrics.GetType().Name}, not {typeof(TMetrics).Name}.");

    /// <inheritdoc />
    public override string ToString() =>
        $"{Measure}: {Value:G6}" + (StandardError is { } se ? $" ± {se:G3}" : "");
}
