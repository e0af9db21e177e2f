using SharpnessML.Transforms.Landscape;
using TorchSharp;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// Average-case sharpness: the mean loss increase under random perturbations δ = ρ·c⊙ε, with
/// ε ~ N(0, I) (L2) or U[−1, 1] (L∞), averaged over noise draws on each random batch and then over
/// batches. Measured in evaluation mode; the model is restored bit for bit.
/// </summary>
public static class AverageCaseSharpness
{
    /// <summary>Estimates the average-case sharpness of <paramref name="landscape"/>.</summary>
    public static SharpnessMetrics Estimate(LossLandscape landscape, AverageCaseSharpnessOptions options)
    {
        options.Validate();
        if (options.Parameters is { } filter) landscape = landscape.WithParameters(filter);
        var parameters = landscape.Parameters;
        var settings = new KeyValuePair<string, object>[]
        {
            new("rho", options.Rho), new("samples", options.Samples), new("batch_size", options.BatchSize), new("batches", options.Batches),
        };
        return RandomBatchEstimate.Run(landscape, options.MeasureName, options.Rho, options.BatchSize, options.Batches, options.Seed, settings,
            weights => (Weights: weights, Scales: weights.Select(w => options.Adaptive ? w.abs() : torch.ones_like(w)).ToArray()),
            (state, batch, baseLoss) =>
            {
                // The noise comes from the batches' generator, after the batch's draw.
                using var _ = torch.no_grad();
                double sum = 0;
                for (int s = 0; s < options.Samples; s++)
                {
                    using var sampleScope = torch.NewDisposeScope();
                    var noise = options.Norm == PerturbationNorm.L2
                        ? ParameterVectors.Gaussian(state.Weights, batch.Generator)
                        : ParameterVectors.UniformSymmetric(state.Weights, batch.Generator);
                    var delta = noise.Select((e, i) => e * state.Scales[i] * options.Rho).ToArray();
                    ParameterVectors.Assign(parameters, PerturbationSet.Shift(state.Weights, delta));
                    sum += landscape.Loss(batch.Examples).item<float>() - baseLoss;
                }
                ParameterVectors.Assign(parameters, state.Weights);
                return sum / options.Samples;
            });
    }
}
