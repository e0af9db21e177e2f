using Microsoft.ML.Data;
using SharpnessML.Trainers.Optimizers;

namespace SharpnessML.Trainers.Training;

/// <summary>
/// Settings every mini-batch TorchSharp trainer shares beyond <see cref="TorchEstimatorOptions"/>: loss, optimizer
/// and the training schedule. The defaults train a network on a user's data without tuning: Adam at 1e-3, up to
/// 200 epochs, early stopping on a held-out 10% of the training rows after 10 epochs without
/// improvement, then the best epoch's weights (scikit-learn's <c>MLPClassifier</c> with
/// <c>early_stopping=True</c>, and Keras' <c>restore_best_weights</c>). The MLP overrides the schedule
/// with rules measured on small tabular data (<see cref="Mlp.MlpOptions"/>, docs/defaults.md). The seed
/// paper's reference schedule (plain SGD 0.01, batch 64, at most 10 epochs, stop when the epoch's
/// training loss improves by less than 5%) is what the trainers' <c>SeedPaper…()</c> presets set.
/// </summary>
public class TorchTrainerOptions : TorchEstimatorOptions
{
    /// <summary>Training loss; <c>null</c> picks MSE for regression and cross-entropy for classification.</summary>
    public LossFunction? Loss { get; set; }

    /// <summary>The optimizer and its hyperparameters. Default Adam at learning rate 1e-3 (see <see cref="OptimizerOptions"/>).</summary>
    public OptimizerOptions Optimizer { get; set; } = new();

    /// <summary>
    /// Mini-batch size. Default 64 (the seed paper's; on a few hundred rows 32 did no better for the MLP,
    /// docs/defaults.md).
    /// </summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// Most epochs to train. Default 200 (scikit-learn's <c>MLPClassifier</c> <c>max_iter</c>); early stopping
    /// (<see cref="EarlyStoppingPatience"/>) usually ends training well before.
    /// </summary>
    public int MaxEpochs { get; set; } = 200;

    /// <summary>
    /// The seed paper's stopping rule: stop after an epoch whose mean training loss fell by less than this fraction of
    /// the previous epoch's (or rose). Default −1 (off); the seed paper's presets set 0.05. A negative value disables
    /// the rule. It applies together with <see cref="EarlyStoppingPatience"/>: whichever fires first ends training.
    /// </summary>
    public double StoppingRelativeChange { get; set; } = -1;

    /// <summary>
    /// Fraction of the training rows held out, drawn with <see cref="TorchEstimatorOptions.Seed"/>, to measure a validation loss after every
    /// epoch for early stopping and <see cref="RestoreBestWeights"/>. Default 0.1 (scikit-learn's
    /// <c>validation_fraction</c>). 0 = no validation set: every row trains and <see cref="EarlyStoppingPatience"/>
    /// watches the training loss instead. At least one row is held out and at least one trains.
    /// </summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>
    /// Stop after this many epochs in a row without the monitored loss (the validation loss, or the training loss
    /// when <see cref="ValidationFraction"/> is 0) falling below its best by more than
    /// <see cref="EarlyStoppingMinDelta"/>. Default 10 (scikit-learn's <c>n_iter_no_change</c>). 0 = off.
    /// </summary>
    public int EarlyStoppingPatience { get; set; } = 10;

    /// <summary>
    /// The smallest fall of the monitored loss below its best that counts as an improvement for
    /// <see cref="EarlyStoppingPatience"/>. Default 1e-4 (scikit-learn's <c>tol</c>), in the loss's units (MSE of the
    /// label as given, or cross-entropy in nats).
    /// </summary>
    public double EarlyStoppingMinDelta { get; set; } = 1e-4;

    /// <summary>
    /// With a validation set (<see cref="ValidationFraction"/> &gt; 0), end training with the weights (and batch-norm
    /// statistics) of the epoch with the lowest validation loss rather than the last epoch's. Default <c>true</c>
    /// (Keras' <c>EarlyStopping(restore_best_weights=True)</c>; Prechelt, 1998). Ignored without a validation set.
    /// </summary>
    public bool RestoreBestWeights { get; set; } = true;

    /// <summary>
    /// Regression label noise: each step adds fresh Gaussian noise of this standard deviation to the
    /// batch's targets (SGD with label noise). 0 (default) = none. Ignored by classification.
    /// </summary>
    public double LabelNoiseStandardDeviation { get; set; }

    /// <summary>
    /// Classification label noise: each step replaces each label of the batch, with this
    /// probability, by a uniformly drawn different class (classes 0 … the largest training label).
    /// 0 (default) = none. Ignored by regression.
    /// </summary>
    public double LabelFlipProbability { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (MaxEpochs < 1) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, "MaxEpochs must be at least 1.");
        if (double.IsNaN(StoppingRelativeChange)) throw new ArgumentOutOfRangeException(nameof(StoppingRelativeChange), "StoppingRelativeChange must be a number.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1) (0 = no validation set).");
        if (EarlyStoppingPatience < 0)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience must be 0 (off) or a positive number of epochs.");
        if (!(EarlyStoppingMinDelta >= 0) || double.IsInfinity(EarlyStoppingMinDelta))
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingMinDelta), EarlyStoppingMinDelta, "EarlyStoppingMinDelta must be a non-negative finite number.");
        if (!(LabelNoiseStandardDeviation >= 0) || double.IsInfinity(LabelNoiseStandardDeviation))
            throw new ArgumentOutOfRangeException(nameof(LabelNoiseStandardDeviation), LabelNoiseStandardDeviation, "LabelNoiseStandardDeviation must be a non-negative finite number.");
        if (!(LabelFlipProbability >= 0 && LabelFlipProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(LabelFlipProbability), LabelFlipProbability, "LabelFlipProbability must be in [0, 1].");
        if (Optimizer is null) throw new ArgumentNullException(nameof(Optimizer), "Optimizer must be set.");
        Optimizer.Validate();
    }

    /// <summary>
    /// Sets the seed paper's reference schedule: plain SGD with learning rate 0.01, batch 64, at most 10 epochs, stop
    /// when the epoch's training loss improves by less than 5%, no validation set, no early stopping by patience.
    /// The trainers' <c>SeedPaper…()</c> presets start from it.
    /// </summary>
    protected void UseSeedPaperSchedule()
    {
        Optimizer = OptimizerOptions.SeedPaperSgd();
        BatchSize = 64;
        MaxEpochs = 10;
        StoppingRelativeChange = 0.05;
        ValidationFraction = 0;
        EarlyStoppingPatience = 0;
        RestoreBestWeights = false;
    }
}
