using SharpnessML.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// Labels drawn from a model's predictive distribution for the Monte-Carlo Fisher (<see cref="CurvatureKind.MonteCarloFisher"/>)
/// and K-FAC: a class ŷ ~ softmax(f) for cross-entropy, ŷ ~ N(f, ½) for the squared error.
/// </summary>
internal static class SampledTargets
{
    /// <summary>[samples, n] labels (int64 classes, or float regression targets of the outputs' dtype) for outputs f [n, …], on f's device.</summary>
    public static Tensor Draw(LossFunction loss, Tensor outputs, int samples, Generator generator)
    {
        using var noGrad = torch.no_grad();
        var f = outputs.detach().cpu();
        return loss switch
        {
            LossFunction.CrossEntropy => torch.multinomial(nn.functional.softmax(f.to(float64), 1), samples, replacement: true, generator: generator)
                .t().contiguous().to(outputs.device),
            LossFunction.MeanSquaredError => (f.reshape(1, -1) + Math.Sqrt(0.5) * torch.randn(new long[] { samples, f.numel() }, dtype: f.dtype, generator: generator))
                .to(outputs.device),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };
    }

    /// <summary>Each example's loss against one row of <paramref name="targets"/>: (f − ŷ)² or −log softmax(f)_ŷ, a vector.</summary>
    public static Tensor PerExampleLosses(LossFunction loss, Tensor outputs, Tensor targets) => loss switch
    {
        LossFunction.CrossEntropy => nn.functional.cross_entropy(outputs, targets, reduction: nn.Reduction.None),
        LossFunction.MeanSquaredError => (outputs.reshape(-1) - targets.reshape(-1)).square(),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
    };
}
