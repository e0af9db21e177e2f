using SharpnessML.Trainers.Optimizers;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// Options of <see cref="GatTrainer"/> (the feature column holds a node's features, the label column its class:
/// a key type, or a Single or Double holding 0..C−1; the seed fixes initialisation, dropout masks and node sampling).
/// Defaults reproduce the transductive Cora setting of
/// Veličković et al. (2018, §3.3): 8 heads of 8 hidden units, one output head, dropout 0.6 on
/// inputs and attention, Adam with learning rate 0.005 and L2 weight 0.0005, full-graph steps and
/// early stopping with a patience of 100 epochs.
/// </summary>
public sealed class GatOptions : Training.TorchEstimatorOptions
{

    /// <summary>F′ of the hidden layer. Default 8 (Veličković et al., 2018).</summary>
    public int HiddenUnitsPerHead { get; set; } = 8;

    /// <summary>Attention heads of the hidden layer. Default 8 (Veličković et al., 2018).</summary>
    public int Heads { get; set; } = 8;

    /// <summary>Heads of the output layer, averaged. Default 1 (Veličković et al., 2018, Cora).</summary>
    public int OutputHeads { get; set; } = 1;

    /// <summary>Drop probability of each layer's input. Default 0.6 (Veličković et al., 2018).</summary>
    public double Dropout { get; set; } = 0.6;

    /// <summary>Drop probability of the normalised attention coefficients. Default 0.6 (Veličković et al., 2018).</summary>
    public double AttentionDropout { get; set; } = 0.6;

    /// <summary>LeakyReLU slope of the attention scores. Default 0.2 (Veličković et al., 2018).</summary>
    public double NegativeSlope { get; set; } = 0.2;

    /// <summary>
    /// The optimizer. Default Adam with learning rate 0.005 and weight decay 5e-4, i.e. an L2
    /// penalty (λ/2)‖w‖² with λ = 0.0005 (Veličković et al., 2018, Cora).
    /// </summary>
    public OptimizerOptions Optimizer { get; set; } = new() { Kind = OptimizerKind.Adam, LearningRate = 0.005, WeightDecay = 5e-4 };

    /// <summary>
    /// Most epochs (one full-graph optimizer step each). Default 1000: the paper sets no limit and
    /// relies on the patience (its reference code allows 100000); runs on Cora stop after a few
    /// hundred epochs.
    /// </summary>
    public int MaxEpochs { get; set; } = 1000;

    /// <summary>Epochs without improvement before stopping. Default 100 (Veličković et al., 2018).</summary>
    public int Patience { get; set; } = 100;

    /// <summary>The early-stopping rule. Default the paper's (validation loss or accuracy).</summary>
    public GatEarlyStopping EarlyStopping { get; set; } = GatEarlyStopping.ValidationLossOrAccuracy;

    /// <summary>
    /// m, training nodes whose loss each step uses, drawn at random without replacement from the
    /// training nodes (the forward pass still sees the whole graph). Null (default) uses every
    /// training node, as the paper.
    /// </summary>
    public int? TrainingNodesPerStep { get; set; }

    /// <summary>The network these options describe for a graph with <paramref name="featureCount"/> features and <paramref name="classCount"/> classes.</summary>
    public GatSpec CreateSpec(int featureCount, int classCount) =>
        new(featureCount, classCount, HiddenUnitsPerHead, Heads, OutputHeads, Dropout, AttentionDropout, NegativeSlope);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        new GatSpec(1, 1, HiddenUnitsPerHead, Heads, OutputHeads, Dropout, AttentionDropout, NegativeSlope).Validate();
        if (Optimizer is null) throw new ArgumentNullException(nameof(Optimizer), "Optimizer must be set.");
        Optimizer.Validate();
        if (MaxEpochs < 1) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, "MaxEpochs must be at least 1.");
        if (Patience < 1) throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "Patience must be at least 1.");
        if (!Enum.IsDefined(EarlyStopping)) throw new ArgumentOutOfRangeException(nameof(EarlyStopping), EarlyStopping, "Unknown early-stopping rule.");
        if (TrainingNodesPerStep is < 1) throw new ArgumentOutOfRangeException(nameof(TrainingNodesPerStep), TrainingNodesPerStep, "TrainingNodesPerStep must be at least 1 when set.");
    }
}
