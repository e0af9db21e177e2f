using SharpnessML.Transforms.Landscape;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>
/// A measure that can be chosen by name: the CLI's <c>--measure NAME</c>, studies,
/// <see cref="SharpnessCatalog.Measure"/> and model selection look it up in a <see cref="MeasureRegistry"/>.
/// Each built-in measure family is one class that maps the shared <see cref="MeasureSettings"/> to its own
/// typed options (e.g. <see cref="Perturbation.WorstCaseSharpnessMeasure"/>); implement this interface to
/// add a measure of your own and register it with <see cref="MeasureRegistry.Register"/>.
/// </summary>
public interface ISharpnessMeasure
{
    /// <summary>The name the measure is chosen by, e.g. <c>adaptive-worst-linf</c>; unique within a registry.</summary>
    string Name { get; }

    /// <summary>
    /// Measures <paramref name="landscape"/> with <paramref name="settings"/> (settings that do not apply to the
    /// measure are ignored). The landscape's module must be left as it was found.
    /// </summary>
    MeasureResult Measure(LossLandscape landscape, MeasureSettings settings);
}
