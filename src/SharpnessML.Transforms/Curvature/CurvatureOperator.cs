using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// A curvature matrix of a supervised landscape other than its Hessian — the generalised Gauss-Newton matrix, the
/// empirical Fisher or the Monte-Carlo Fisher (<see cref="CurvatureKind"/>) — known through exact matrix-vector
/// products, as an <see cref="ILinearOperator"/> beside <see cref="HessianOperator"/>: Lanczos, power iteration,
/// Hutchinson, Hutch++, the diagonal estimator and SLQ run on it unchanged (after curvlinops' <c>GGNLinearOperator</c>,
/// <c>EFLinearOperator</c> and <c>FisherMCLinearOperator</c>). Nothing is materialised: each product is a few
/// forward and backward passes per chunk.
/// </summary>
/// <remarks>
/// With f the outputs of a chunk of b examples (<see cref="SupervisedProblem.Outputs"/>), J their Jacobian in the
/// parameters, L the chunk's mean loss and ℓ the vector of per-example losses:
/// GGN·v = Jᵀ (∇²_f L) (J v); empirical Fisher·v = (1/b) J_ℓᵀ (J_ℓ v); Monte-Carlo Fisher·v = (1/(bS)) J_ℓ̃ᵀ (J_ℓ̃ v)
/// with ℓ̃ the losses at S sampled labels per example. J·v comes from the double-backward trick
/// (<c>JacobianProducts</c>), (∇²_f L)·u from a double backward through the loss alone, and the whole-set product is
/// Σ_c (b_c/n)·(chunk c's product), as for <see cref="HessianOperator"/>. The Monte-Carlo labels are drawn once, when
/// the operator is made (seeded), so every product multiplies by the same matrix. The losses are the landscape's own:
/// the squared error (f − y)² without a factor ½, so for MSE GGN = 2·JᵀJ/n and the Fisher is that of N(f, ½).
/// The operator neither changes the module's mode nor its values; measures wrap it in <see cref="ModelStateSnapshot.Capture"/>.
/// </remarks>
public sealed class CurvatureOperator : ILinearOperator, IDisposable
{
    private readonly Tensor[] inputs;
    private readonly List<Tensor>? sampledLabels;

    /// <summary>Creates the operator.</summary>
    /// <param name="landscape">A supervised landscape (<see cref="LossLandscape.Supervised"/>: a network, its data and its loss).</param>
    /// <param name="kind">Which curvature matrix.</param>
    /// <param name="batch">Int64 indices of the examples to use, or null for all examples. The caller keeps ownership.</param>
    /// <param name="chunkSize">Examples per chunk when <paramref name="batch"/> is null.</param>
    /// <param name="parameters">The parameters (the matrix's block on them); the landscape's when null.</param>
    /// <param name="seed">Seed of the Monte-Carlo labels.</param>
    /// <param name="monteCarloSamples">Labels drawn per example for the Monte-Carlo Fisher. Default 1 (BackPACK's and curvlinops' default).</param>
    /// <exception cref="InvalidOperationException">The landscape has no supervised problem (outputs and labels).</exception>
    public CurvatureOperator(LossLandscape landscape, CurvatureKind kind, Tensor? batch = null, int chunkSize = HessianOperator.DefaultChunkSize,
        IReadOnlyList<Parameter>? parameters = null, int seed = 0, int monteCarloSamples = 1)
    {
        Landscape = landscape ?? throw new ArgumentNullException(nameof(landscape));
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown curvature.");
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "Chunk size must be at least 1.");
        if (monteCarloSamples < 1) throw new ArgumentOutOfRangeException(nameof(monteCarloSamples), monteCarloSamples, "At least one Monte-Carlo sample is needed.");
        Problem = landscape.Supervised ?? throw new InvalidOperationException(
            $"The {Describe(kind)} needs the network's outputs and labels (a supervised landscape, LossLandscape.ForSupervised or ForNetwork); this landscape has only a loss.");
        Kind = kind;
        Parameters = parameters ?? landscape.Parameters;
        if (Parameters.Count == 0) throw new ArgumentException("The operator needs at least one parameter.", nameof(parameters));
        Batch = batch;
        ChunkSize = chunkSize;
        MonteCarloSamples = monteCarloSamples;
        Dimension = Parameters.Sum(p => p.numel());
        inputs = Parameters.Cast<Tensor>().ToArray();
        if (kind == CurvatureKind.MonteCarloFisher) sampledLabels = DrawLabels(seed);
    }

    /// <summary>The loss landscape.</summary>
    public LossLandscape Landscape { get; }

    /// <summary>The network, data and loss the products use.</summary>
    public SupervisedProblem Problem { get; }

    /// <summary>Which curvature matrix.</summary>
    public CurvatureKind Kind { get; }

    /// <summary>The parameters the matrix is taken in.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The example indices used, or null for all examples.</summary>
    public Tensor? Batch { get; }

    /// <summary>Examples per chunk for whole-set products.</summary>
    public int ChunkSize { get; }

    /// <summary>Labels drawn per example (Monte-Carlo Fisher only).</summary>
    public int MonteCarloSamples { get; }

    /// <inheritdoc />
    public long Dimension { get; }

    /// <inheritdoc />
    public Device Device => Parameters[0].device;

    /// <summary>Matrix-vector products computed so far (a whole-set product over many chunks counts once).</summary>
    public long ProductCount { get; private set; }

    /// <summary>C·v for a direction shaped like <see cref="Parameters"/>; returns new, detached tensors.</summary>
    public Tensor[] Multiply(IReadOnlyList<Tensor> direction)
    {
        CheckShapes(direction);
        using var scope = torch.NewDisposeScope();
        using var gradMode = torch.enable_grad();
        Tensor[]? sum = null;
        int part = 0;
        foreach (var (indices, weight) in Parts())
        {
            var term = MultiplyPart(indices, direction, part++);
            sum = sum is null ? (weight == 1.0 ? term : ParameterVectors.Scale(term, weight)) : ParameterVectors.Add(sum, term, weight);
        }
        ProductCount++;
        return sum!.Select(t => t.detach().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>C·v for a flat float64 vector (parameters in order, flattened); returns a new float64 vector.</summary>
    public Tensor Multiply(Tensor vector)
    {
        using var scope = torch.NewDisposeScope();
        var parts = ParameterVectors.Unflatten(vector, Parameters);
        var direction = parts.Select((t, i) => t.to(Parameters[i].dtype, Parameters[i].device)).ToArray();
        return ParameterVectors.Flatten(Multiply(direction)).to(float64).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the Monte-Carlo labels.</summary>
    public void Dispose()
    {
        if (sampledLabels is null) return;
        foreach (var t in sampledLabels) t.Dispose();
        sampledLabels.Clear();
    }

    /// <summary>A short description of <paramref name="kind"/>, e.g. <c>generalised Gauss-Newton matrix</c>.</summary>
    public static string Describe(CurvatureKind kind) => kind switch
    {
        CurvatureKind.GeneralizedGaussNewton => "generalised Gauss-Newton matrix",
        CurvatureKind.EmpiricalFisher => "empirical Fisher",
        _ => "Monte-Carlo Fisher",
    };

    /// <summary>The chunk's mean curvature times the direction.</summary>
    private Tensor[] MultiplyPart(Tensor? indices, IReadOnlyList<Tensor> direction, int part)
    {
        var outputs = Problem.Outputs(indices);
        switch (Kind)
        {
            case CurvatureKind.GeneralizedGaussNewton:
            {
                var jv = JacobianProducts.Jvp(outputs, inputs, direction);
                var f = outputs.detach().requires_grad_(true);
                var loss = Problem.Loss.Compute(f, Labels(indices));
                var g = torch.autograd.grad(new[] { loss }, new[] { f }, retain_graph: true, create_graph: true)[0];
                var hjv = g.requires_grad ? torch.autograd.grad(new[] { g }, new[] { f }, new[] { jv }, allow_unused: true)[0] : null;
                if (hjv is null || hjv.IsInvalid) hjv = torch.zeros_like(f);
                return JacobianProducts.Vjp(outputs, inputs, hjv.detach());
            }
            case CurvatureKind.EmpiricalFisher:
                return Gram(SampledTargets.PerExampleLosses(Problem.Loss, outputs, Labels(indices)), direction);
            default:
            {
                // Every sample's losses in one call: the outputs repeated sample-major, against the [samples, b] labels flattened.
                var labels = sampledLabels![part];
                var repeated = MonteCarloSamples == 1 ? outputs : outputs.repeat(new long[] { MonteCarloSamples }.Concat(Enumerable.Repeat(1L, (int)outputs.dim() - 1)).ToArray());
                return Gram(SampledTargets.PerExampleLosses(Problem.Loss, repeated, labels.reshape(-1)), direction);
            }
        }
    }

    /// <summary>(1/m) J_ℓᵀ J_ℓ v for a vector ℓ of m losses.</summary>
    private Tensor[] Gram(Tensor losses, IReadOnlyList<Tensor> direction)
    {
        var jv = JacobianProducts.Jvp(losses, inputs, direction);
        return JacobianProducts.Vjp(losses, inputs, jv / losses.shape[0]);
    }

    private Tensor Labels(Tensor? indices) => indices is null ? Problem.Data.Labels : Problem.Data.Labels.index_select(0, indices);

    private List<Tensor> DrawLabels(int seed)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new torch.Generator((ulong)seed);
        var labels = new List<Tensor>();
        foreach (var (indices, _) in Parts())
        {
            var drawn = SampledTargets.Draw(Problem.Loss, Problem.Outputs(indices), MonteCarloSamples, generator);
            labels.Add(drawn.DetachFromDisposeScope());
        }
        return labels;
    }

    private IEnumerable<(Tensor? Indices, double Weight)> Parts()
    {
        if (Batch is not null)
        {
            yield return (Batch, 1.0);
            yield break;
        }
        if (ChunkSize >= Landscape.ExampleCount)
        {
            yield return (null, 1.0);
            yield break;
        }
        foreach (var (indices, weight) in Landscape.Chunks(ChunkSize)) yield return (indices, weight);
    }

    private void CheckShapes(IReadOnlyList<Tensor> direction)
    {
        ArgumentNullException.ThrowIfNull(direction);
        if (direction.Count != Parameters.Count)
            throw new ArgumentException($"Expected one tensor per parameter ({Parameters.Count}), got {direction.Count}.", nameof(direction));
        for (int i = 0; i < direction.Count; i++)
            if (!direction[i].shape.SequenceEqual(Parameters[i].shape))
                throw new ArgumentException($"Direction {i} has shape [{string.Join(", ", direction[i].shape)}], its parameter [{string.Join(", ", Parameters[i].shape)}].", nameof(direction));
    }
}
