using SharpnessML.Trainers.Training;

namespace SharpnessML.Transforms.Evaluation;

/// <summary>The loss on a landscape's whole data, the <c>loss</c> row of <c>sharpnessml score</c>.</summary>
/// <remarks>L = Σ_c (n_c / n) L_c over chunks c of n_c examples: the mean loss over all n examples.</remarks>
public sealed class LossMetrics : IMeasureMetrics
{
    /// <summary>Creates the metrics (public so that any scorer can report a loss row).</summary>
    /// <param name="loss">The loss function.</param>
    /// <param name="examples">Number of examples the loss is the mean over.</param>
    public LossMetrics(LossFunction loss, int examples)
    {
        Loss = loss;
        Examples = examples;
    }

    /// <summary>The loss function.</summary>
    public LossFunction Loss { get; }

    /// <summary>Number of examples the loss is the mean over.</summary>
    public int Examples { get; }

    /// <summary><c>loss</c> (<c>mse</c> or <c>cross-entropy</c>) and <c>examples</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("loss", Loss == LossFunction.MeanSquaredError ? "mse" : "cross-entropy"), new("examples", Examples),
    };
}
