using SharpnessML.Transforms.Evaluation;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// Plain norms of the measured weights (<see cref="WeightNorms"/>); the metrics of <c>weight-l2-norm</c>,
/// <c>weight-l1-norm</c> and <c>log-prod-of-fro</c>. Exact: no standard error.
/// </summary>
/// <remarks>
/// ‖w‖₂ = √(Σ_i w_i²), ‖w‖₁ = Σ_i |w_i| over all measured parameters, and
/// log Π_l ‖W_l‖²_F = 2 Σ_l log ‖W_l‖_F over the measured tensors with at least two dimensions.
/// </remarks>
public sealed class WeightNormMetrics : IMeasureMetrics
{
    internal WeightNormMetrics(double l2, double l1, double logProductOfFrobenius, int depth, long parameterCount)
    {
        L2 = l2;
        L1 = l1;
        LogProductOfFrobenius = logProductOfFrobenius;
        Depth = depth;
        ParameterCount = parameterCount;
    }

    /// <summary>‖w‖₂: Euclidean (Frobenius) norm of all measured parameters concatenated.</summary>
    public double L2 { get; }

    /// <summary>‖w‖₁: sum of absolute values of all measured parameters.</summary>
    public double L1 { get; }

    /// <summary>
    /// log Π_l ‖W_l‖²_F = 2 Σ_l log ‖W_l‖_F over the measured tensors with at least two dimensions
    /// (Jiang et al., 2019, <c>log.prod.of.fro</c>); 0 when there is none, −∞ when one is all zeros.
    /// </summary>
    public double LogProductOfFrobenius { get; }

    /// <summary>d: the number of measured tensors with at least two dimensions (see <see cref="WeightNorms.Depth"/>).</summary>
    public int Depth { get; }

    /// <summary>Number of scalar parameters measured.</summary>
    public long ParameterCount { get; }

    /// <summary><c>l2</c>, <c>l1</c>, <c>log_prod_of_fro</c>, <c>depth</c> and <c>parameters</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Details() => new KeyValuePair<string, object>[]
    {
        new("l2", L2), new("l1", L1), new("log_prod_of_fro", LogProductOfFrobenius), new("depth", Depth), new("parameters", ParameterCount),
    };
}
