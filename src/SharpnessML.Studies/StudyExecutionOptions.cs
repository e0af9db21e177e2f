using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Studies;

/// <summary>Where a <see cref="StudyExecution"/> keeps its members and how many processes train them.</summary>
public sealed class StudyExecutionOptions
{
    /// <summary>
    /// The SQLite store: every member is written there as it completes, and a rerun loads the stored ones. <c>null</c>
    /// (default): no store with one worker; a temporary one, removed afterwards, with several.
    /// </summary>
    public string? StorePath { get; set; }

    /// <summary>Processes training members at once, this one included. Default 1.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>How to start a worker process; required when <see cref="Workers"/> &gt; 1.</summary>
    public StudyWorkerCommand? WorkerCommand { get; set; }

    /// <summary>When set, each member trained in this run is saved there as a model file <c>model-NNN.zip</c>.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>
    /// Where the study's measures are looked up by name: default <see cref="MeasureRegistry.BuiltIn"/>; pass
    /// <c>ml.Sharpness().Measures</c> to take measures of your own (then in this process only: worker processes know the
    /// built-in measures alone).
    /// </summary>
    public MeasureRegistry? Measures { get; set; }

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Workers < 1) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "--workers must be at least 1.");
    }
}
