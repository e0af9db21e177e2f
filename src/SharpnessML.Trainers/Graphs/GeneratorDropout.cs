using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// Inverted dropout as a function whose masks come from the generator the caller passes (the GAT's layers share the
/// training loop's generator), so a training run is reproducible even while other code draws from torch's process-wide
/// generator. Not <see cref="Networks.SeededDropout"/>, a module that owns a generator of its own.
/// </summary>
internal static class GeneratorDropout
{
    /// <summary>
    /// Zeroes each entry of <paramref name="x"/> with probability <paramref name="p"/> and scales the
    /// rest by 1/(1−p); the identity when not training or p = 0. Masks come from
    /// <paramref name="generator"/> (the process-wide generator when null).
    /// </summary>
    public static Tensor Apply(Tensor x, double p, bool training, torch.Generator? generator)
    {
        if (!training || p == 0) return x;
        using var threshold = p.ToScalar();
        using var scale = (1.0 / (1.0 - p)).ToScalar();
        var scaledMask = torch.rand(x.shape, generator: generator, dtype: x.dtype, device: x.device).ge_(threshold).mul_(scale);
        return x * scaledMask;
    }
}
