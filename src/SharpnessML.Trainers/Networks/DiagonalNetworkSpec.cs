using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Networks;

/// <summary>
/// A diagonal linear network: ŷ = xᵀ(u ⊙ v), the two-layer linear model whose implicit bias
/// (Woodworth et al., 2020) and sharpness under Adam versus SGD (Li, Wen &amp; Lyu, 2025) are studied on
/// sparse regression. u and v start at <paramref name="InitScale"/> in every coordinate (the
/// small-initialisation regime of those papers), so initialisation needs no random numbers.
/// </summary>
/// <param name="Features">Input dimension d.</param>
/// <param name="InitScale">Initial value α of every u_i and v_i. Default 0.1.</param>
public sealed record DiagonalNetworkSpec(int Features, double InitScale = 0.1) : NetworkSpec
{
    /// <inheritdoc />
    public override int InputSize => Features;

    /// <inheritdoc />
    public override int OutputSize => 1;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build() => new DiagonalLinearNetwork(this);
}
