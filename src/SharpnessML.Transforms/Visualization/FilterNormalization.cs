using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// Filter normalisation of a direction (Li et al., 2018, Sec. 4, Eq. in "Filter-Wise Normalization"): each filter —
/// the slice along the first axis of a tensor with two or more dimensions, i.e. a linear layer's output unit (a row of
/// its [out, in] weight) or a convolution's output channel ([out, in, kh, kw]) — is scaled to the norm of the same
/// filter of the weights, d_i ← d_i ‖θ_i‖ / (‖d_i‖ + 10⁻¹⁰). Tensors of at most one dimension (biases, normalisation
/// layers, running statistics) are zeroed (<c>--xignore biasbn</c>) or, kept, take the weights themselves, as the
/// paper's code does.
/// </summary>
internal static class FilterNormalization
{
    /// <summary>The guard the paper's code adds to each filter's norm.</summary>
    public const double Epsilon = 1e-10;

    /// <summary>
    /// Normalises <paramref name="direction"/> (in place) against <paramref name="weights"/>, tensor by tensor.
    /// </summary>
    /// <param name="direction">One tensor per moved tensor.</param>
    /// <param name="weights">The moved tensors' values at the centre.</param>
    /// <param name="normalization">Filter normalisation, or none (tensors of two or more dimensions are left as drawn).</param>
    /// <param name="ignoreOneDimensional">Zero every tensor of at most one dimension.</param>
    public static void Apply(IReadOnlyList<Tensor> direction, IReadOnlyList<Tensor> weights, DirectionNormalization normalization, bool ignoreOneDimensional)
    {
        if (direction.Count != weights.Count) throw new ArgumentException($"The direction has {direction.Count} tensors, the weights {weights.Count}.");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        for (int k = 0; k < direction.Count; k++)
        {
            var d = direction[k];
            var w = weights[k];
            if (d.dim() <= 1)
            {
                if (ignoreOneDimensional) d.zero_();
                else if (normalization == DirectionNormalization.Filter) d.copy_(w);
                continue;
            }
            if (normalization == DirectionNormalization.Filter) Filter(d, w);
        }
    }

    /// <summary>Scales each filter (slice along axis 0) of <paramref name="d"/> to the norm of the same filter of <paramref name="w"/>, in place.</summary>
    public static void Filter(Tensor d, Tensor w)
    {
        long filters = d.shape[0];
        var rows = d.reshape(filters, -1);
        var weightNorms = w.reshape(filters, -1).norm(1, keepdim: true);
        var directionNorms = rows.norm(1, keepdim: true);
        rows.mul_(weightNorms / (directionNorms + Epsilon)); // rows is a view of d
    }
}
