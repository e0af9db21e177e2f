namespace SharpnessML.Trainers.Training;

/// <summary>
/// What every TorchSharp estimator's options share, whatever the network: the input and output columns, the seed and
/// the device. <see cref="TorchTrainerOptions"/> (mini-batch trainers) and <see cref="Graphs.GatOptions"/> (the
/// full-graph GAT) add their schedules.
/// </summary>
public abstract class TorchEstimatorOptions
{
    /// <summary>Name of the feature column (a known-size vector of Single). Default <c>Features</c>.</summary>
    public string FeatureColumnName { get; set; } = ColumnNames.Features;

    /// <summary>Name of the label column. Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = ColumnNames.Label;

    /// <summary>
    /// Name of the output column the model adds: the prediction (Single) for regression, the class probabilities
    /// (a vector of Single) for classification. Default <c>Score</c> (ML.NET's <c>DefaultColumnNames.Score</c>).
    /// </summary>
    public string ScoreColumnName { get; set; } = ColumnNames.Score;

    /// <summary>
    /// Name of the key-typed column a classifier adds with the most probable class; regression adds none. Default
    /// <c>PredictedLabel</c> (ML.NET's <c>DefaultColumnNames.PredictedLabel</c>).
    /// </summary>
    public string PredictedLabelColumnName { get; set; } = ColumnNames.PredictedLabel;

    /// <summary>Seed of everything random in training (initialisation, batch order, dropout). Same seed, same data → the same model. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Torch device: <c>cpu</c> (default) or <c>cuda</c>, <c>cuda:N</c> where available.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Throws a clear error naming the first invalid setting.</summary>
    public virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(FeatureColumnName)) throw new ArgumentException("FeatureColumnName must be set.", nameof(FeatureColumnName));
        if (string.IsNullOrWhiteSpace(LabelColumnName)) throw new ArgumentException("LabelColumnName must be set.", nameof(LabelColumnName));
        if (string.IsNullOrWhiteSpace(ScoreColumnName)) throw new ArgumentException("ScoreColumnName must be set.", nameof(ScoreColumnName));
        if (string.IsNullOrWhiteSpace(PredictedLabelColumnName)) throw new ArgumentException("PredictedLabelColumnName must be set.", nameof(PredictedLabelColumnName));
        if (ScoreColumnName == PredictedLabelColumnName)
            throw new ArgumentException($"ScoreColumnName and PredictedLabelColumnName must differ; both are '{ScoreColumnName}'.", nameof(PredictedLabelColumnName));
        TorchRuntime.ParseDevice(Device, nameof(Device));
    }
}
