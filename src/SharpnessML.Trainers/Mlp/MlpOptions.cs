using SharpnessML.Trainers.Networks;
using SharpnessML.Trainers.Training;

namespace SharpnessML.Trainers.Mlp;

/// <summary>Options of the multilayer-perceptron trainers.</summary>
public sealed class MlpOptions : TorchTrainerOptions
{
    /// <summary>
    /// The seed paper's Abalone FCNN and its reference training, exactly as the Abalone reproduction trains it:
    /// 10-64-64-1 with ELU, plain SGD at learning rate 0.01, batch 64, at most 10 epochs, stopping when the epoch's
    /// training loss improves by less than 5%, no validation set. Studies set the seed, batch size, learning rate and
    /// epochs of each member on top.
    /// </summary>
    public static MlpOptions SeedPaperAbalone()
    {
        var options = new MlpOptions { HiddenLayerSizes = new[] { 64, 64 }, Activation = Activation.Elu, StandardizeLabel = false };
        options.UseSeedPaperSchedule();
        return options;
    }

    /// <summary>
    /// Widths of the hidden layers. Default [64, 64], the seed paper's Abalone FCNN (10-64-64-1).
    /// The input width comes from the data and the output width from the task.
    /// </summary>
    public int[] HiddenLayerSizes { get; set; } = { 64, 64 };

    /// <summary>Non-linearity after each hidden layer. Default ReLU.</summary>
    public Activation Activation { get; set; } = Activation.Relu;

    /// <summary>
    /// Regression only: train on the label standardised with the training rows' mean and standard deviation, then
    /// rescale the output layer so the model predicts the label in its own units. Default <c>true</c>: a network starts
    /// predicting about 0 and Adam moves each weight by about the learning rate per step, so a label in the hundreds
    /// (the diabetes data's, docs/defaults.md) is out of reach of 200 epochs at 1e-3 without it (scikit-learn's
    /// <c>MLPRegressor</c> leaves this to the user, who is advised to scale the data). Training and validation
    /// losses (<see cref="Training.TrainingSummary"/>) are then in standardised units. Ignored by classification;
    /// the seed paper's preset, whose pipeline already standardises the label, turns it off.
    /// </summary>
    public bool StandardizeLabel { get; set; } = true;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (HiddenLayerSizes is null || HiddenLayerSizes.Any(s => s < 1))
            throw new ArgumentException("HiddenLayerSizes must list positive widths (it may be empty for a linear model).", nameof(HiddenLayerSizes));
    }
}
