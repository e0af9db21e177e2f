namespace SharpnessML.Trainers.Training;

/// <summary>What a training run did.</summary>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="EpochLosses">Mean training loss of each epoch (over its mini-batches, before each step).</param>
/// <param name="Elapsed">Wall time of the training loop.</param>
public sealed record TrainingSummary(int Epochs, long Steps, IReadOnlyList<double> EpochLosses, TimeSpan Elapsed)
{
    /// <summary>
    /// Mean validation loss after each epoch, on the rows <see cref="TorchTrainerOptions.ValidationFraction"/> held
    /// out; empty without a validation set.
    /// </summary>
    public IReadOnlyList<double> ValidationLosses { get; init; } = Array.Empty<double>();

    /// <summary>
    /// The 0-based epoch whose weights the model holds when <see cref="TorchTrainerOptions.RestoreBestWeights"/> put
    /// back an earlier epoch's (the one with the lowest validation loss); <c>null</c> when the model holds the last
    /// epoch's weights.
    /// </summary>
    public int? RestoredEpoch { get; init; }

    /// <summary>The last epoch's mean training loss.</summary>
    public double FinalLoss => EpochLosses.Count == 0 ? double.NaN : EpochLosses[^1];
}
