using SharpnessML.Trainers.Training;

namespace SharpnessML.Trainers.TorchScript;

/// <summary>
/// Options of <see cref="TorchScriptFineTuningTrainer"/>: which TorchScript file to start from, and
/// the shared training settings (loss, optimizer, batch size, epochs, seed). Unlike training from
/// scratch, fine-tuning runs every epoch by default (<see cref="TorchTrainerOptions.StoppingRelativeChange"/>
/// = −1), since a trained model's loss rarely falls by the 5% per epoch the from-scratch rule asks.
/// </summary>
public sealed class TorchScriptFineTuningOptions : TorchTrainerOptions
{
    /// <summary>
    /// Creates the options with fine-tuning's defaults: plain SGD at 0.01, batch 64, 10 epochs, all run (no stopping
    /// rule, no validation set) — a short, gentle schedule that keeps a pretrained model near where it started.
    /// </summary>
    public TorchScriptFineTuningOptions()
    {
        Optimizer = Optimizers.OptimizerOptions.SeedPaperSgd();
        MaxEpochs = 10;
        StoppingRelativeChange = -1;
        ValidationFraction = 0;
        EarlyStoppingPatience = 0;
        RestoreBestWeights = false;
    }

    /// <summary>
    /// The TorchScript file saved by PyTorch (<c>torch.jit.save</c>). The module must map a [n, d]
    /// float tensor to [n, outputs] (outputs = 1 for MSE, the class count for cross-entropy). Required.
    /// </summary>
    public string ModelPath { get; set; } = "";

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (string.IsNullOrWhiteSpace(ModelPath)) throw new ArgumentException("ModelPath must name a TorchScript file.", nameof(ModelPath));
        if (!File.Exists(ModelPath)) throw new FileNotFoundException($"TorchScript file '{ModelPath}' (ModelPath) does not exist.", ModelPath);
    }
}
