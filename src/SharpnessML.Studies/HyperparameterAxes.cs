namespace SharpnessML.Studies;

/// <summary>
/// The hyperparameters a study grid may vary. Each applies to every model family unless its description says
/// otherwise; a value not on the grid keeps the family's trainer default.
/// </summary>
public static class HyperparameterAxes
{
    /// <summary>Repetition index; changes nothing but the member's index, hence its seed.</summary>
    public const string Replicate = "replicate";

    /// <summary>Initialisation, batch-order and measure seed (default: base seed + member index).</summary>
    public const string Seed = "seed";

    /// <summary>Optimizer learning rate.</summary>
    public const string LearningRate = "learningRate";

    /// <summary>Mini-batch size (GAT: training nodes per step).</summary>
    public const string BatchSize = "batchSize";

    /// <summary>Optimizer: <c>sgd</c>, <c>adam</c>, <c>adamw</c>, <c>rmsprop</c>, <c>adam-mini</c>.</summary>
    public const string Optimizer = "optimizer";

    /// <summary>SGD momentum.</summary>
    public const string Momentum = "momentum";

    /// <summary>Weight decay (L2 penalty; decoupled for AdamW).</summary>
    public const string WeightDecay = "weightDecay";

    /// <summary>Sharpness-aware wrapper: <c>none</c>, <c>sam</c>, <c>asam</c>, <c>gsam</c>.</summary>
    public const string SharpnessAware = "sharpnessAware";

    /// <summary>Radius ρ of the sharpness-aware wrapper.</summary>
    public const string SamRho = "samRho";

    /// <summary>Most training epochs.</summary>
    public const string Epochs = "epochs";

    /// <summary>Label noise: Gaussian standard deviation for regression, flip probability for classification.</summary>
    public const string LabelNoise = "labelNoise";

    /// <summary>Dropout probability (LeNet-5's fully connected layers; GAT's feature and attention dropout).</summary>
    public const string Dropout = "dropout";

    /// <summary>Attention heads of the GAT's hidden layer (Cora only).</summary>
    public const string Heads = "heads";

    /// <summary>Every known axis name.</summary>
    public static IReadOnlyList<string> Known { get; } = new[]
    {
        Replicate, Seed, LearningRate, BatchSize, Optimizer, Momentum, WeightDecay, SharpnessAware, SamRho, Epochs, LabelNoise, Dropout, Heads,
    };
}
