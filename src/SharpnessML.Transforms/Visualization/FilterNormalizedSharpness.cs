using SharpnessML.Transforms.Landscape;
using TorchSharp;

namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// A 1D sharpness read off Li et al.'s (2018) filter-normalised plots at one step: the mean over K seeded random
/// Gaussian directions d_k, each filter-normalised (<see cref="DirectionNormalization.Filter"/>, biases and
/// normalisation layers zeroed by default), of L(θ* + α d_k) − L(θ*), in evaluation mode. Filter normalisation makes it
/// blind to the per-filter rescalings that leave a ReLU network's function unchanged, which is the paper's argument for
/// comparing surfaces of different networks this way. The first direction is the x direction of a
/// <see cref="LossSurfaces.Compute"/> surface with the same seed and examples.
/// </summary>
public static class FilterNormalizedSharpness
{
    /// <summary>Estimates the measure on <paramref name="landscape"/>; its parameters and mode are restored afterwards.</summary>
    public static FilterNormalizedSharpnessMetrics Estimate(LossLandscape landscape, FilterNormalizedSharpnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        options ??= new FilterNormalizedSharpnessOptions();
        options.Validate();
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var scope = torch.NewDisposeScope();
        var subset = options.ExampleCount is int n ? landscape.Subset(n, options.Seed) : landscape;
        using var evaluator = new SurfaceEvaluator(subset, moveStatistics: false, options.ChunkSize);
        using var generator = new torch.Generator((ulong)options.Seed);
        var (baseLoss, _) = evaluator.Evaluate();
        var increases = new List<double>();
        for (int k = 0; k < options.Directions; k++)
        {
            using var step = torch.NewDisposeScope();
            var d = ParameterVectors.Gaussian(evaluator.Centre, generator);
            FilterNormalization.Apply(d, evaluator.Centre, DirectionNormalization.Filter, options.IgnoreBiasAndNormalization);
            increases.Add(evaluator.At(options.Step, d).Loss - baseLoss);
        }
        return new FilterNormalizedSharpnessMetrics(baseLoss, increases, options.Step, subset.ExampleCount);
    }
}
