using System.Diagnostics;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Baselines;

/// <summary>
/// The Fisher-Rao norm (Liang et al., 2019) as Jiang et al. (2019) measure it:
/// (d + 1)² · (1/m) Σ_i ⟨w, ∇_w ℓ(f_w(x_i), y_i)⟩², with d the depth (<see cref="WeightNorms.Depth"/>
/// unless given) and ℓ the training loss of one example. The inner products of all examples of a
/// chunk come from one double-backward pass (<see cref="InnerProducts"/>), not a loop over examples.
/// Measured in evaluation mode; the model is restored bit for bit.
/// </summary>
/// <remarks>
/// For a bias-free ReLU network with d weight layers, ⟨w, ∇_w f(x)⟩ = d·f(x) (positive homogeneity),
/// so ⟨w, ∇_w ℓ⟩ = d·⟨∂ℓ/∂f, f⟩ — Liang et al.'s analytic form.
/// </remarks>
public static class FisherRaoNorm
{
    /// <summary>Computes the Fisher-Rao norm of <paramref name="landscape"/>.</summary>
    /// <param name="landscape">The landscape; its <see cref="LossLandscape.Supervised"/> problem supplies per-example losses.</param>
    /// <param name="options">Settings.</param>
    /// <param name="perExampleLosses">
    /// Optional per-example losses at the given int64 indices (a vector, one entry per index),
    /// differentiable in the parameters; overrides the supervised problem's. Without either, each
    /// example's loss is the landscape's mean loss on that single example (one forward pass each — slow).
    /// </param>
    public static FisherRaoMetrics Compute(LossLandscape landscape, FisherRaoNormOptions options, Func<Tensor?, Tensor>? perExampleLosses = null)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Parameters is { } filter) landscape = landscape.WithParameters(filter);
        var source = perExampleLosses is not null ? FisherRaoLossSource.Given
            : landscape.Supervised is null ? FisherRaoLossSource.OneByOne : FisherRaoLossSource.Supervised;
        perExampleLosses ??= landscape.Supervised is { } problem ? problem.PerExampleLosses : OneByOne(landscape);

        var clock = Stopwatch.StartNew();
        var parameters = landscape.Parameters;
        int depth = options.Depth ?? WeightNorms.Depth(parameters);
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var outer = torch.NewDisposeScope();
        using var gradients = torch.enable_grad();
        var subset = ExampleSubset.Choose(landscape.ExampleCount, options.MaxExamples, SubsetSeed(options.Seed), parameters[0].device);
        int examples = (int)subset.shape[0];
        double sum = 0, sumOfSquares = 0;
        foreach (var (indices, _) in ExampleSubset.Split(subset, options.ChunkSize))
        {
            using var scope = torch.NewDisposeScope();
            var losses = perExampleLosses(indices);
            if (losses.dim() != 1 || losses.shape[0] != indices.shape[0])
                throw new InvalidOperationException($"Per-example losses must be a vector of {indices.shape[0]} entries; got shape [{string.Join(", ", losses.shape)}].");
            var squares = InnerProducts(losses, parameters).to(float64).square();
            sum += squares.sum().item<double>();
            sumOfSquares += squares.square().sum().item<double>();
        }
        double mean = sum / examples;
        double factor = (depth + 1.0) * (depth + 1.0);
        double? standardError = examples == landscape.ExampleCount || examples < 2
            ? null
            : factor * Math.Sqrt(Math.Max(0, sumOfSquares / examples - mean * mean) / (examples - 1));
        return new FisherRaoMetrics(factor * mean, mean, depth, standardError, examples, source, clock.Elapsed);
    }

    /// <summary>
    /// J·w: ⟨w, ∇_w ℓ_i⟩ for every entry ℓ_i of <paramref name="losses"/> at once, where J is the
    /// Jacobian of the loss vector in the parameters and w their current values. Double-backward:
    /// with v = 0 ∈ ℝⁿ, g(v) = ∇_w (vᵀℓ) = Jᵀv (kept differentiable), and ∇_v ⟨g(v), w⟩ = J·w.
    /// Returns a detached vector of ℓ's dtype; parameters ℓ does not depend on contribute 0.
    /// </summary>
    /// <param name="losses">A vector of losses with its autograd graph (not computed under no_grad).</param>
    /// <param name="parameters">The parameters w.</param>
    public static Tensor InnerProducts(Tensor losses, IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(parameters);
        if (losses.dim() != 1) throw new ArgumentException($"Expected a vector of losses; got shape [{string.Join(", ", losses.shape)}].", nameof(losses));
        using var gradients = torch.enable_grad();
        var v = torch.zeros(losses.shape, dtype: losses.dtype, device: losses.device, requires_grad: true);
        var inputs = parameters.Cast<Tensor>().ToArray();
        var g = torch.autograd.grad(new[] { (v * losses).sum() }, inputs, create_graph: true, allow_unused: true);
        Tensor? inner = null;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (g[i] is null || g[i].IsInvalid) continue;
            var term = (g[i] * inputs[i].detach()).sum();
            inner = inner is null ? term : inner + term;
        }
        if (inner is null || !inner.requires_grad) return torch.zeros(losses.shape, dtype: losses.dtype, device: losses.device);
        var jw = torch.autograd.grad(new[] { inner }, new[] { v }, allow_unused: true)[0];
        return jw is null || jw.IsInvalid ? torch.zeros(losses.shape, dtype: losses.dtype, device: losses.device) : jw.detach();
    }

    /// <summary>Per-example losses of a landscape without a supervised problem: its mean loss on each single example.</summary>
    private static Func<Tensor?, Tensor> OneByOne(LossLandscape landscape) => indices =>
    {
        indices ??= torch.arange(landscape.ExampleCount, dtype: int64, device: landscape.Parameters[0].device);
        return torch.stack(Enumerable.Range(0, (int)indices.shape[0]).Select(j => landscape.Loss(indices.narrow(0, j, 1)).reshape(-1)).ToList()).reshape(-1);
    };

    private static ulong SubsetSeed(int seed) => unchecked((ulong)seed * 2_654_435_761UL + 17UL);
}
