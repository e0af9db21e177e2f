using SharpnessML.Trainers.Training;

namespace SharpnessML.Trainers.DiagonalNetwork;

/// <summary>Options of the diagonal-linear-network trainer (regression with MSE).</summary>
public sealed class DiagonalNetworkOptions : TorchTrainerOptions
{
    /// <summary>Initial value α of every u_i and v_i. Default 0.1 (small initialisation, Woodworth et al. 2020).</summary>
    public double InitScale { get; set; } = 0.1;

    /// <summary>
    /// Creates the options: plain SGD at 0.01 with batch 16 for 200 epochs, every epoch run, no validation set. The
    /// network exists to study SGD's implicit bias towards sparse solutions (Woodworth et al., 2020), so it keeps plain
    /// SGD rather than the shared Adam default, and trains on every row to the end.
    /// </summary>
    public DiagonalNetworkOptions()
    {
        Optimizer = Optimizers.OptimizerOptions.SeedPaperSgd();
        MaxEpochs = 200;
        StoppingRelativeChange = -1;
        BatchSize = 16;
        ValidationFraction = 0;
        EarlyStoppingPatience = 0;
        RestoreBestWeights = false;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(InitScale > 0) || double.IsInfinity(InitScale))
            throw new ArgumentOutOfRangeException(nameof(InitScale), InitScale, "InitScale must be a positive finite number.");
    }
}
