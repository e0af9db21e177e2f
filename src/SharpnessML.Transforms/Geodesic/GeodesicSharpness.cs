using SharpnessML.Transforms.Landscape;
using SharpnessML.Transforms.Perturbation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Geodesic;

/// <summary>
/// Geodesic sharpness (da Silva, Dangel &amp; Oore, 2025, Eq. 4): worst-case sharpness on the
/// quotient manifold that removes the network's parameter symmetries. On each random batch B of m
/// examples, Auto-PGD (paper, App. C.2) ascends L_B(γ_ξ(1)) over horizontal initial velocities ξ
/// with ‖ξ‖_w ≤ ρ, stepping along Riemannian gradients (the Euclidean gradient with respect to ξ,
/// through the geodesic, mapped by the inverse metric and projected horizontally); the mean over
/// batches of max L_B(γ_ξ(1)) − L_B(w) is reported. Parameters covered by no declared
/// <see cref="ISymmetryGeometry"/> use the adaptive fallback (<see cref="AdaptiveGeometry"/>), so with
/// no symmetry declared the measure is adaptive worst-case L2 sharpness (paper, App. F). The model is
/// measured in evaluation mode and restored bit for bit afterwards.
/// </summary>
public static class GeodesicSharpness
{
    /// <summary>Estimates geodesic sharpness with every parameter in the adaptive fallback geometry.</summary>
    public static SharpnessMetrics Estimate(LossLandscape landscape, GeodesicSharpnessOptions options) =>
        Estimate(landscape, Array.Empty<ISymmetryGeometry>(), options);

    /// <summary>Estimates the geodesic sharpness of <paramref name="landscape"/>.</summary>
    /// <param name="landscape">The loss landscape; its measured parameters are perturbed.</param>
    /// <param name="geometries">Symmetries of disjoint groups of measured parameters; the others use the adaptive fallback.</param>
    /// <param name="options">Radius, budget, batches and seed.</param>
    public static SharpnessMetrics Estimate(LossLandscape landscape, IReadOnlyList<ISymmetryGeometry> geometries, GeodesicSharpnessOptions options)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(geometries);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var settings = new KeyValuePair<string, object>[]
        {
            new("rho", options.Rho), new("steps", options.Steps), new("restarts", options.Restarts), new("batch_size", options.BatchSize),
            new("batches", options.Batches), new("symmetries", Symmetries(geometries)),
        };
        return RandomBatchEstimate.Run(landscape, options.MeasureName, options.Rho, options.BatchSize, options.Batches, options.Seed, settings,
            (flat, weights) => (Flat: flat, Weights: weights, Ball: new GeodesicBall(landscape.Parameters, flat.Split(weights), geometries, options.Rho, options.SecondOrder)),
            (state, batch, baseLoss) => RandomBatchEstimate.BestOfRestarts(options.Seed, batch.Index, options.Restarts, baseLoss,
                (starts, r) => Ascend(landscape, state.Flat, batch.Loss, state.Weights, state.Ball, options, starts, r)) - baseLoss,
            baseLoss: Value);
    }

    /// <summary>The declared symmetries as the details list them: their geometries' type names, or that there is none.</summary>
    private static string Symmetries(IReadOnlyList<ISymmetryGeometry> geometries) =>
        geometries.Count == 0 ? "none declared (adaptive fallback)" : string.Join(", ", geometries.Select(g => g.GetType().Name));

    private static double Value(Tensor loss) => loss.to(float64).item<double>();

    /// <summary>One Auto-PGD ascent over ξ (flat); returns the highest loss among its iterates.</summary>
    private static double Ascend(LossLandscape landscape, FlatParameters flat, Func<Tensor> loss, Tensor weights, GeodesicBall ball,
        GeodesicSharpnessOptions options, torch.Generator generator, int restart)
    {
        var start = options.RandomStart || restart > 0 ? ball.RandomPoint(generator) : torch.zeros_like(weights);
        var gradient = torch.zeros_like(weights);
        var ascent = new WorstCaseSharpness.Ascent((xi, wanted) => Evaluate(landscape.Parameters, flat, loss, ball, xi, wanted ? gradient : null));
        try
        {
            return ascent.AutoPgd(ball, start, options.Steps, options.Rho);
        }
        finally
        {
            flat.Assign(weights);
        }
    }

    /// <summary>
    /// L_B(γ_ξ(1)) and, when <paramref name="gradient"/> is given, its Euclidean gradient with respect to the flat ξ,
    /// written there: the gradient g with respect to the parameters at γ_ξ(1), pulled back through the geodesic by a
    /// vector-Jacobian product (the gradient of ⟨γ_ξ(1), g⟩ with g held fixed).
    /// </summary>
    private static (double Loss, Tensor? Gradient) Evaluate(IReadOnlyList<Parameter> parameters, FlatParameters flat, Func<Tensor> loss,
        GeodesicBall ball, Tensor xi, Tensor? gradient)
    {
        if (gradient is null)
        {
            using (torch.no_grad())
            {
                ParameterVectors.Assign(parameters, ball.Point(flat.Split(xi)));
                return (Value(loss()), null);
            }
        }
        using var _ = torch.enable_grad();
        var leaf = xi.detach().requires_grad_(true);
        var point = ball.Point(flat.Split(leaf));
        ParameterVectors.Assign(parameters, point);
        var value = loss();
        double result = Value(value);
        var g = torch.autograd.grad(new[] { value }, parameters.Cast<Tensor>().ToArray(), allow_unused: true)
            .Select((t, i) => t is null || t.IsInvalid ? torch.zeros_like(parameters[i]) : t.detach()).ToArray();
        var pullback = ParameterVectors.Dot(point, g);
        var gradXi = torch.autograd.grad(new[] { pullback }, new[] { leaf }, allow_unused: true)[0];
        using (torch.no_grad())
        {
            if (gradXi is null || gradXi.IsInvalid) gradient.zero_();
            else gradient.copy_(gradXi);
        }
        return (result, gradient);
    }
}
