namespace SharpnessML.Studies;

/// <summary>One trained and measured member of a study.</summary>
/// <param name="Index">Position in the study.</param>
/// <param name="Seed">Initialisation, batch-order and measure seed.</param>
/// <param name="Hyperparameters">Its grid point: axis name → value, in grid order.</param>
/// <param name="Epochs">Epochs trained before the stopping rule ended training.</param>
/// <param name="TrainLoss">Loss on the whole training split.</param>
/// <param name="TestLoss">Loss on the test split (the generalization measure).</param>
/// <param name="TrainError">Training error rate (1 − accuracy); NaN for regression.</param>
/// <param name="TestError">Test error rate; NaN for regression.</param>
/// <param name="Measurements">Every measure the study takes, in the study's order.</param>
/// <param name="TrainSeconds">Wall time of training.</param>
public sealed record StudyMember(
    int Index, int Seed, IReadOnlyDictionary<string, string> Hyperparameters, int Epochs,
    double TrainLoss, double TestLoss, double TrainError, double TestError,
    IReadOnlyList<StudyMeasurement> Measurements, double TrainSeconds)
{
    /// <summary>Test loss minus training loss.</summary>
    public double GeneralizationGap => TestLoss - TrainLoss;

    /// <summary>Wall time of all measurements.</summary>
    public double MeasureSeconds => Measurements.Sum(m => m.Seconds);

    /// <summary>The measurement called <paramref name="measure"/>.</summary>
    /// <exception cref="KeyNotFoundException">The member has no such measurement.</exception>
    public StudyMeasurement Measurement(string measure) =>
        Measurements.FirstOrDefault(m => m.Measure == measure) ?? throw new KeyNotFoundException($"Member {Index} has no measurement '{measure}'.");
}

/// <summary>One measure's value on one study member.</summary>
/// <param name="Measure">The measure's registry name.</param>
/// <param name="Value">Its value.</param>
/// <param name="StandardError">Standard error of a stochastic estimate, or null.</param>
/// <param name="Seconds">Wall time of the measurement.</param>
/// <param name="DetailsJson">The measure's details (settings, eigenvalues, density, …) as a JSON object.</param>
public sealed record StudyMeasurement(string Measure, double Value, double? StandardError, double Seconds, string DetailsJson);
