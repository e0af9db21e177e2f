using System.Globalization;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// How a <see cref="HessianOperator"/> takes its products, chosen at the first product from its memory budget: with
/// the gradient graph of every part (the batch, or each chunk of the data) built once and kept, so each product is one
/// backward pass per part (memory ∝ data), or with each part's gradient graph recomputed and freed in every product
/// (memory ∝ one chunk, about twice the time).
/// </summary>
/// <param name="ReusesGradientGraph">True when the graphs are kept and reused.</param>
/// <param name="Parts">Parts of the data each product sums over (1 for a batch or data within one chunk).</param>
/// <param name="EstimatedGraphBytes">
/// The estimated bytes all parts' graphs would hold together: the native bytes the first part's graph holds
/// (<see cref="NativeHeap"/>) scaled by the data's size over the part's; null when graph reuse was not asked for.
/// </param>
/// <param name="MemoryBudgetBytes">The budget the estimate was compared with.</param>
public sealed record HessianProductPlan(bool ReusesGradientGraph, int Parts, long? EstimatedGraphBytes, long MemoryBudgetBytes)
{
    /// <summary><c>reused</c> or <c>recomputed per chunk</c>, with the estimate and the budget in MiB.</summary>
    public string Description
    {
        get
        {
            var mode = ReusesGradientGraph ? "reused" : Parts == 1 ? "recomputed" : "recomputed per chunk";
            var inv = CultureInfo.InvariantCulture;
            return EstimatedGraphBytes is { } bytes
                ? $"{mode} ({Parts} part{(Parts == 1 ? "" : "s")}, graphs ≈ {(bytes / 1048576.0).ToString("F1", inv)} MiB, budget {(MemoryBudgetBytes / 1048576.0).ToString("F0", inv)} MiB)"
                : $"{mode} ({Parts} part{(Parts == 1 ? "" : "s")})";
        }
    }

    /// <summary>
    /// Adds <c>hvp_graph</c> to a metrics' details when there is a plan: the mode, the parts and the budget, not the
    /// estimate — it is a heap measurement that varies from run to run, and details are stored with a study's members,
    /// which must be the same whether computed now or loaded.
    /// </summary>
    internal static void AddTo(List<KeyValuePair<string, object>> details, HessianProductPlan? plan)
    {
        if (plan is null) return;
        var mode = plan.ReusesGradientGraph ? "reused" : plan.Parts == 1 ? "recomputed" : "recomputed per chunk";
        details.Add(new("hvp_graph", FormattableString.Invariant($"{mode} ({plan.Parts} part{(plan.Parts == 1 ? "" : "s")}, budget {plan.MemoryBudgetBytes / 1048576.0:F0} MiB)")));
    }
}
