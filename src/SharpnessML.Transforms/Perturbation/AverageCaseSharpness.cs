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
        var settings = new KeyValuePair<string, object>[]
        {
            new("rho", options.Rho), new("samples", options.Samples), new("batch_size", options.BatchSize), new("batches", options.Batches),
        };
        return RandomBatchEstimate.Run(landscape, options.MeasureName, options.Rho, options.BatchSize, options.Batches, options.Seed, settings,
            (flat, weights) =>
            {
                var noise = torch.empty_like(weights);
                return (Flat: flat, Weights: weights, Scales: options.Adaptive ? weights.abs() : torch.ones_like(weights), Noise: noise, Parts: flat.Split(noise));
            },
            (state, batch, baseLoss) =>
            {
                // The noise comes from the batches' generator, after the batch's draw, tensor by tensor.
                using var _ = torch.no_grad();
                double sum = 0;
                for (int s = 0; s < options.Samples; s++)
                {
                    using var sampleScope = torch.NewDisposeScope();
                    var noise = state.Noise;
                    foreach (var part in state.Parts)
                    {
                        if (options.Norm == PerturbationNorm.L2) part.normal_(0, 1, batch.Generator);
                        else part.uniform_(0, 1, batch.Generator);
                    }
                    if (options.Norm != PerturbationNorm.L2) noise.mul_(2).sub_(1);
                    state.Flat.AssignShifted(state.Weights, noise.mul_(state.Scales).mul_(options.Rho));
                    sum += batch.Loss().item<float>() - baseLoss;
                }
                state.Flat.Assign(state.Weights);
                return sum / options.Samples;
            });
    }
}
