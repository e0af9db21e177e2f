using SharpnessML.Trainers.Networks;

namespace SharpnessML.Studies;

/// <summary>
/// The user's data (the study file's <c>data</c> object). A <c>csv</c> study: a training CSV file and either a test
/// file or a test fraction, the label column and the task; features are every other column, standardised on the
/// training split; a classification label may hold integers or text. An <c>idx</c> study: an images and a labels
/// file (MNIST's IDX layout) and either a test pair or a test fraction; always classification.
/// </summary>
public sealed class StudyData
{
    /// <summary>The training file (<c>train</c>; relative paths are relative to the study file).</summary>
    public string Train { get; set; } = "";

    /// <summary>The test file (<c>test</c>), or null to hold out <see cref="TestFraction"/> of <see cref="Train"/>.</summary>
    public string? Test { get; set; }

    /// <summary>An <c>idx</c> study's training images file (<c>images</c>; [n, h, w] or [n, d], plain or gzip).</summary>
    public string? Images { get; set; }

    /// <summary>An <c>idx</c> study's training labels file (<c>labels</c>; [n] class indices).</summary>
    public string? Labels { get; set; }

    /// <summary>An <c>idx</c> study's test images file (<c>testImages</c>), or null to hold out <see cref="TestFraction"/>.</summary>
    public string? TestImages { get; set; }

    /// <summary>An <c>idx</c> study's test labels file (<c>testLabels</c>).</summary>
    public string? TestLabels { get; set; }

    /// <summary>
    /// How an <c>idx</c> study's byte pixels become features (<c>pixels</c>: <c>fashion-mnist</c> — (b/255 − 0.2860)/0.3530,
    /// the default — <c>unit</c> (b/255) or <c>raw</c>).
    /// </summary>
    public string Pixels { get; set; } = "fashion-mnist";

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
    /// <param name="images">Whether this is an <c>idx</c> study's data.</param>
    public void Validate(bool images = false)
    {
        if (images)
        {
            if (string.IsNullOrWhiteSpace(Images) || string.IsNullOrWhiteSpace(Labels)) throw new FormatException("data.images and data.labels (the IDX files) are required.");
            if ((TestImages is null) != (TestLabels is null)) throw new FormatException("data.testImages and data.testLabels go together; give both or neither.");
            if (TestImages != null && TestFraction != null) throw new FormatException("data has both 'testImages' and 'testFraction'; give one.");
            if (!new[] { "fashion-mnist", "unit", "raw" }.Contains(Pixels)) throw new FormatException($"data.pixels must be fashion-mnist, unit or raw, got '{Pixels}'.");
            if (Train.Length > 0 || Test != null || Label.Length > 0) throw new FormatException("data.train, data.test and data.label belong to csv studies; an idx study names images and labels.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(Train)) throw new FormatException("data.train (the training CSV file) is required.");
            if (string.IsNullOrWhiteSpace(Label)) throw new FormatException("data.label (the label column) is required.");
            if (Test != null && TestFraction != null) throw new FormatException("data has both 'test' and 'testFraction'; give one.");
            if (Images != null || Labels != null || TestImages != null || TestLabels != null)
                throw new FormatException("data.images and data.labels belong to idx studies; a csv study names train and label.");
        }

        if (TestFraction is { } f && !(f > 0 && f < 1)) throw new FormatException($"data.testFraction must be in (0, 1), got {f}.");
    }
}
