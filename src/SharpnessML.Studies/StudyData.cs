using SharpnessML.Trainers.Networks;

namespace SharpnessML.Studies;

/// <summary>
/// The user's data of a <c>csv</c> study (the study file's <c>data</c> object): a training CSV file and either a test
/// file or a test fraction, the label column and the task. Features are every other column, standardised on the
/// training split; a classification label may hold integers or text.
/// </summary>
public sealed class StudyData
{
    /// <summary>The training file (<c>train</c>; relative paths are relative to the study file).</summary>
    public string Train { get; set; } = "";

    /// <summary>The test file (<c>test</c>), or null to hold out <see cref="TestFraction"/> of <see cref="Train"/>.</summary>
    public string? Test { get; set; }

    /// <summary>Fraction of the rows held out for testing when there is no test file (<c>testFraction</c>), in (0, 1). Default 0.2.</summary>
    public double? TestFraction { get; set; }

    /// <summary>Seed of the train/test split (<c>splitSeed</c>), recorded in the report. Default 0.</summary>
    public int SplitSeed { get; set; }

    /// <summary>The label column (<c>label</c>).</summary>
    public string Label { get; set; } = "";

    /// <summary>Regression or classification (<c>task</c>: <c>regression</c> | <c>classification</c>).</summary>
    public NetworkTask Task { get; set; } = NetworkTask.Regression;

    /// <summary>The test fraction in effect: <see cref="TestFraction"/>, or 0.2 without a test file.</summary>
    public double EffectiveTestFraction => TestFraction ?? 0.2;

    /// <summary>Names the task as study files write it.</summary>
    public static string TaskName(NetworkTask task) => task == NetworkTask.Regression ? "regression" : "classification";

    /// <summary>Parses <c>regression</c> or <c>classification</c>.</summary>
    public static NetworkTask ParseTask(string text) => text.Trim().ToLowerInvariant() switch
    {
        "regression" => NetworkTask.Regression,
        "classification" => NetworkTask.MulticlassClassification,
        _ => throw new FormatException($"data.task must be 'regression' or 'classification', got '{text}'."),
    };

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Train)) throw new FormatException("data.train (the training CSV file) is required.");
        if (string.IsNullOrWhiteSpace(Label)) throw new FormatException("data.label (the label column) is required.");
        if (Test != null && TestFraction != null) throw new FormatException("data has both 'test' and 'testFraction'; give one.");
        if (TestFraction is { } f && !(f > 0 && f < 1)) throw new FormatException($"data.testFraction must be in (0, 1), got {f}.");
    }
}
