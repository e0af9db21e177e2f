using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Hessian;

/// <summary>
/// The Hessian of a loss landscape, known through Hessian-vector products (Pearlmutter's double
/// backward: g = ∂L/∂θ with a graph, then H·v = ∂⟨g, v⟩/∂θ). It owns the landscape, the parameters
/// being differentiated and the data: one batch of example indices, or the whole set accumulated
/// over chunks as Σ_c (n_c/n)·H_c·v. Like PyHessian's <c>hessian</c> class, this is the one
/// primitive the eigenvalue, trace, diagonal and density algorithms are built on.
/// </summary>
/// <remarks>
/// By default each product recomputes the forward pass and the gradient graph inside its own
/// dispose scope, so nothing outlives the call and the operator always sees the current parameter
/// values. With <c>reuseGradientGraph</c> the gradient g = ∂L/∂θ and its graph are built once per
/// part of the data (the batch, or each chunk) and every product is then one backward pass of g
/// against v per part (PyHessian does the same), about half the cost — but the graphs hold the
/// activations of the whole data, so the operator keeps them only when they fit in its memory
/// budget (<see cref="HessianOptions.MemoryBudgetBytes"/>), and otherwise recomputes each chunk's
/// graph in every product (memory ∝ one chunk). The choice is made at the first product and is
/// <see cref="Plan"/>: the first chunk's graph is built, the native bytes it holds are measured
/// (<see cref="NativeHeap"/>: glibc's allocated bytes before and after, the forward's temporaries
/// freed, so what remains is what autograd saved for the second backward plus g itself) and scaled by
/// n / n_chunk to the whole data; the graphs are kept when that estimate is within the budget. Data
/// within one part is always reused (recomputing it would not lower the peak, which is that one
/// graph either way). The saved activations of a double-backward graph are about the forward
/// activations plus the first backward's intermediates, so the measurement is preferred to a count
/// from the architecture (which a TorchScript model does not expose). Kept graphs belong to the
/// operator until <see cref="Dispose"/> or <see cref="Invalidate"/>, and the caller
/// promises not to change the parameters or buffers in between (a change of train/eval mode is
/// detected; after an in-place change of the parameters call <see cref="Invalidate"/>, or autograd
/// may use stale activations or abort the process on a modified saved tensor). The operator does not change the module's mode or values: callers wrap it in
/// <see cref="ModelStateSnapshot.Capture"/> (evaluation mode) as every measure does. Either plan computes the same
/// sums in the same order, so the products agree to the last bit.
/// </remarks>
public sealed class HessianOperator : ILinearOperator, IDisposable
{
    /// <summary>Default number of examples per chunk for whole-set products.</summary>
    public const int DefaultChunkSize = 1024;

    /// <summary>Creates the operator.</summary>
    /// <param name="landscape">The loss landscape.</param>
    /// <param name="batch">Int64 indices of the examples to use, or null for all examples. The caller keeps ownership.</param>
    /// <param name="chunkSize">Examples per chunk when <paramref name="batch"/> is null.</param>
    /// <param name="parameters">The parameters to differentiate (the Hessian block on them, the rest held fixed); the landscape's when null.</param>
    /// <param name="reuseGradientGraph">
    /// Build the gradient graph once and reuse it for every product (one backward pass per product
    /// instead of a forward and two backwards); only when the data is one part (a batch, or all
    /// examples within one chunk, or several chunks whose graphs fit in <paramref name="memoryBudgetBytes"/>), and only
    /// while the parameters stay unchanged. Off by default.
    /// </param>
    /// <param name="memoryBudgetBytes">Bytes the kept gradient graphs may hold (see the remarks). Default <see cref="HessianOptions.DefaultMemoryBudgetBytes"/> (1 GiB).</param>
    public HessianOperator(LossLandscape landscape, Tensor? batch = null, int chunkSize = DefaultChunkSize, IReadOnlyList<Parameter>? parameters = null,
        bool reuseGradientGraph = false, long memoryBudgetBytes = HessianOptions.DefaultMemoryBudgetBytes)
    {
        if (memoryBudgetBytes < 0) throw new ArgumentOutOfRangeException(nameof(memoryBudgetBytes), memoryBudgetBytes, "The memory budget must be ≥ 0 bytes.");
        MemoryBudgetBytes = memoryBudgetBytes;
        Landscape = landscape ?? throw new ArgumentNullException(nameof(landscape));
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "Chunk size must be at least 1.");
        Parameters = parameters ?? landscape.Parameters;
        if (Parameters.Count == 0) throw new ArgumentException("The operator needs at least one parameter.", nameof(parameters));
        Batch = batch;
        ChunkSize = chunkSize;
        ReusesGradientGraph = reuseGradientGraph;
        Dimension = Parameters.Sum(p => p.numel());
        inputs = Parameters.Cast<Tensor>().ToArray();
    }

    private readonly Tensor[] inputs;

    // The kept first-order graphs, one per part with its weight: g_i with create_graph (null where g_i is constant
    // in θ), and the module's training flag they were built in.
    private List<(Tensor?[] Graph, double Weight)>? graphs;
    private bool graphTraining;

    /// <summary>The loss landscape.</summary>
    public LossLandscape Landscape { get; }

    /// <summary>The parameters the Hessian is taken with respect to.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The example indices used, or null for all examples.</summary>
    public Tensor? Batch { get; }

    /// <summary>Examples per chunk for whole-set products.</summary>
    public int ChunkSize { get; }

    /// <summary>Whether products may reuse the gradient graphs (see the constructor); <see cref="Plan"/> says whether they do.</summary>
    public bool ReusesGradientGraph { get; }

    /// <summary>Bytes the kept gradient graphs may hold.</summary>
    public long MemoryBudgetBytes { get; }

    /// <summary>How the products are taken: chosen at the first product (null before it), again after <see cref="Invalidate"/>.</summary>
    public HessianProductPlan? Plan { get; private set; }

    /// <inheritdoc />
    public long Dimension { get; }

    /// <inheritdoc />
    public Device Device => Parameters[0].device;

    /// <summary>Hessian-vector products computed so far (a whole-set product over many chunks counts once).</summary>
    public long ProductCount { get; private set; }

    /// <summary>The operator restricted to one parameter tensor: the diagonal block of the Hessian for that tensor, other parameters fixed.</summary>
    public HessianOperator Restrict(int parameterIndex)
    {
        if (parameterIndex < 0 || parameterIndex >= Parameters.Count)
            throw new ArgumentOutOfRangeException(nameof(parameterIndex), parameterIndex, $"There are {Parameters.Count} parameter tensors.");
        return new HessianOperator(Landscape, Batch, ChunkSize, new[] { Parameters[parameterIndex] }, ReusesGradientGraph, MemoryBudgetBytes);
    }

    /// <summary>H·v for a direction shaped like <see cref="Parameters"/> (one tensor per parameter); returns new, detached tensors.</summary>
    public Tensor[] Multiply(IReadOnlyList<Tensor> direction)
    {
        CheckShapes(direction);
        using var scope = torch.NewDisposeScope();
        using var gradMode = torch.enable_grad();
        if (graphs is not null && graphTraining != Landscape.Module.training) Invalidate();
        Tensor[]? sum = null;
        if (graphs is not null)
        {
            foreach (var (g, weight) in graphs) sum = Accumulate(sum, Backward(g, direction, retainGraph: true), weight);
        }
        else if (!ReusesGradientGraph || Plan is not null)
        {
            int parts = 0;
            foreach (var (indices, weight) in Parts())
            {
                sum = Accumulate(sum, Backward(FirstOrderGraph(indices), direction, retainGraph: false), weight);
                parts++;
            }
            Plan ??= new HessianProductPlan(false, parts, null, MemoryBudgetBytes);
        }
        else sum = PlanAndMultiply(direction);
        ProductCount++;
        return sum!.Select(t => t.detach().MoveToOuterDisposeScope()).ToArray();
    }

    private long GradientBytes() => Parameters.Sum(p => p.numel() * p.element_size());

    /// <summary>
    /// The first product with graph reuse: builds the first part's graph, measures it, decides whether every part's
    /// graph is kept (see the remarks), and takes the product on the way.
    /// </summary>
    private Tensor[] PlanAndMultiply(IReadOnlyList<Tensor> direction)
    {
        Tensor[]? sum = null;
        var kept = new List<(Tensor?[] Graph, double Weight)>();
        bool keep = true;
        long? estimate = null;
        int parts = 0;
        bool single = SinglePart(out _);
        try
        {
            foreach (var (indices, weight) in Parts())
            {
                parts++;
                if (!keep)
                {
                    sum = Accumulate(sum, Backward(FirstOrderGraph(indices), direction, retainGraph: false), weight);
                    continue;
                }
                long before = NativeHeap.InUseBytes();
                var g = DetachedFirstOrderGraph(indices);
                if (estimate is null)
                {
                    // The heap count is the process's: memory other threads free meanwhile can hide the graph, so the
                    // estimate is at least what the graph surely holds, the gradient g (one element per parameter).
                    long held = Math.Max(NativeHeap.InUseBytes() - before, GradientBytes());
                    estimate = (long)Math.Ceiling(held / weight);
                    keep = single || estimate <= MemoryBudgetBytes;
                }
                try
                {
                    sum = Accumulate(sum, Backward(g, direction, retainGraph: keep), weight);
                }
                finally
                {
                    if (keep) kept.Add((g, weight));
                    else DisposeGraph(g);
                }
            }
        }
        catch
        {
            foreach (var (g, _) in kept) DisposeGraph(g);
            throw;
        }
        Plan = new HessianProductPlan(keep, parts, estimate, MemoryBudgetBytes);
        if (keep)
        {
            graphs = kept;
            graphTraining = Landscape.Module.training;
        }
        return sum!;
    }

    /// <summary>The first-order graph with its gradients out of every dispose scope, and the forward's temporaries freed.</summary>
    private Tensor?[] DetachedFirstOrderGraph(Tensor? indices)
    {
        using var scope = torch.NewDisposeScope();
        var g = FirstOrderGraph(indices);
        foreach (var t in g) t?.DetachFromDisposeScope();
        return g;
    }

    private static void DisposeGraph(Tensor?[] graph)
    {
        foreach (var g in graph) g?.Dispose();
    }

    /// <summary>Drops the kept gradient graphs (if any) and the plan; the next product plans and builds them again from the current parameters.</summary>
    public void Invalidate()
    {
        Plan = null;
        if (graphs is null) return;
        foreach (var (g, _) in graphs) DisposeGraph(g);
        graphs = null;
    }

    /// <summary>Releases the kept gradient graphs.</summary>
    public void Dispose() => Invalidate();

    /// <summary>g = ∂L/∂θ on the examples with create_graph; null entries where g does not depend on θ.</summary>
    private Tensor?[] FirstOrderGraph(Tensor? indices)
    {
        var loss = Landscape.Loss(indices);
        var gradient = torch.autograd.grad(new[] { loss }, inputs, retain_graph: true, create_graph: true, allow_unused: true);
        // A gradient without a graph is constant in θ and contributes nothing to H·v.
        return gradient.Select(g => g.IsInvalid || !g.requires_grad ? null : g).ToArray();
    }

    /// <summary>
    /// H·v = ∂⟨g, v⟩/∂θ as one vector-Jacobian product (v as the gradient outputs of g), so no
    /// per-parameter products or sum are built.
    /// </summary>
    private Tensor[] Backward(Tensor?[] gradient, IReadOnlyList<Tensor> direction, bool retainGraph)
    {
        var outputs = new List<Tensor>();
        var seeds = new List<Tensor>();
        for (int i = 0; i < gradient.Length; i++)
        {
            if (gradient[i] is not Tensor g) continue;
            outputs.Add(g);
            seeds.Add(direction[i]);
        }
        if (outputs.Count == 0) return Parameters.Select(p => torch.zeros_like(p)).ToArray();
        return Materialise(torch.autograd.grad(outputs, inputs, seeds, retain_graph: retainGraph, allow_unused: true));
    }

    private bool SinglePart(out Tensor? indices)
    {
        indices = Batch;
        return Batch is not null || ChunkSize >= Landscape.ExampleCount;
    }

    /// <summary>H·v for a flat float64 vector (parameters in order, flattened); returns a new float64 vector.</summary>
    public Tensor Multiply(Tensor vector)
    {
        using var scope = torch.NewDisposeScope();
        var parts = ParameterVectors.Unflatten(vector, Parameters);
        var direction = parts.Select((t, i) => t.to(Parameters[i].dtype, Parameters[i].device)).ToArray();
        return ParameterVectors.Flatten(Multiply(direction)).to(float64).MoveToOuterDisposeScope();
    }

    /// <summary>The gradient of the loss on the operator's data, shaped like <see cref="Parameters"/> (new, detached tensors).</summary>
    public Tensor[] Gradient()
    {
        using var scope = torch.NewDisposeScope();
        using var gradMode = torch.enable_grad();
        Tensor[]? sum = null;
        foreach (var (indices, weight) in Parts())
        {
            var loss = Landscape.Loss(indices);
            sum = Accumulate(sum, Materialise(torch.autograd.grad(new[] { loss }, inputs, allow_unused: true)), weight);
        }
        return sum!.Select(t => t.detach().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>The mean loss on the operator's data.</summary>
    public double Loss()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        double total = 0;
        foreach (var (indices, weight) in Parts()) total += weight * Landscape.Loss(indices).to(float64).item<double>();
        return total;
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

    private Tensor[] Materialise(IList<Tensor> gradients) =>
        gradients.Select((g, i) => g.IsInvalid ? torch.zeros_like(Parameters[i]) : g).ToArray();

    private static Tensor[] Accumulate(Tensor[]? sum, Tensor[] term, double weight)
    {
        if (sum is null) return weight == 1.0 ? term : ParameterVectors.Scale(term, weight);
        return ParameterVectors.Add(sum, term, weight);
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
