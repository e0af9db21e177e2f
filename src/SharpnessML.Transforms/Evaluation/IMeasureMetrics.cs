namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// The typed result of one measure (e.g. <see cref="Perturbation.SharpnessMetrics"/>,
/// <see cref="Hessian.HessianDensityMetrics"/>): read its properties through
/// <see cref="MeasureResult.MetricsAs{TMetrics}"/> or pattern matching, and list it for display with
/// <see cref="Details"/>.
/// </summary>
public interface IMeasureMetrics
{
    /// <summary>
    /// The settings and by-products worth showing, in a fixed order, as <c>snake_case</c> names and values (a
    /// number, flag, text or array of numbers): what <c>sharpnessml score</c> prints in its details column and
    /// JSON, and what a study stores with each measurement. For display and serialisation; read the typed
    /// properties to compute with them.
    /// </summary>
    IReadOnlyList<KeyValuePair<string, object>> Details();
}
