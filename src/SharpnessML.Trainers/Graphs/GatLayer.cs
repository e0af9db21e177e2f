using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Trainers.Graphs;

/// <summary>
/// One multi-head graph attention layer (Veličković et al., 2018, eqs. 1–6). For each head k,
/// with shared weights W_k and attention vector a_k = [a_k,target ‖ a_k,source]:
/// e_ij = LeakyReLU(a_kᵀ[W_k h_i ‖ W_k h_j]) for every edge j→i, α_ij = softmax of e_ij over the
/// sources j of i's incoming edges, and h′_i = Σ_j α_ij W_k h_j. Heads are concatenated or averaged,
/// then a bias is added. The attention runs over the edge list (gather, segment softmax and
/// <c>index_add</c>), so memory grows with E rather than N².
/// </summary>
public sealed class GatLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear linear;
    private readonly Parameter attentionSource;
    private readonly Parameter attentionTarget;
    private readonly Parameter bias;
    private readonly Scalar negativeSlopeScalar;

    /// <summary>Creates the layer with Glorot-initialised weights (as the paper) and zero bias.</summary>
    /// <param name="inputSize">F, features per input node.</param>
    /// <param name="outputSize">F′, features per head.</param>
    /// <param name="heads">K, attention heads.</param>
    /// <param name="concat">Concatenate heads (output K·F′) when true; average them (output F′) when false.</param>
    /// <param name="negativeSlope">LeakyReLU slope of the attention scores (paper 0.2).</param>
    /// <param name="attentionDropout">Drop probability of the normalised attention coefficients in training mode (paper 0.6).</param>
    public GatLayer(int inputSize, int outputSize, int heads, bool concat, double negativeSlope = 0.2, double attentionDropout = 0.6)
        : base(nameof(GatLayer))
    {
        if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "inputSize must be at least 1.");
        if (outputSize < 1) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "outputSize must be at least 1.");
        if (heads < 1) throw new ArgumentOutOfRangeException(nameof(heads), heads, "heads must be at least 1.");
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "negativeSlope must be a non-negative finite number.");
        if (!(attentionDropout >= 0 && attentionDropout < 1)) throw new ArgumentOutOfRangeException(nameof(attentionDropout), attentionDropout, "attentionDropout must be in [0, 1).");
        InputSize = inputSize;
        OutputSize = outputSize;
        Heads = heads;
        Concat = concat;
        NegativeSlope = negativeSlope;
        AttentionDropout = attentionDropout;
        negativeSlopeScalar = negativeSlope.ToScalar();
        linear = nn.Linear(inputSize, (long)heads * outputSize, hasBias: false);
        attentionSource = new Parameter(torch.empty(heads, outputSize));
        attentionTarget = new Parameter(torch.empty(heads, outputSize));
        bias = new Parameter(torch.zeros(concat ? (long)heads * outputSize : outputSize));
        using (torch.no_grad())
        {
            nn.init.xavier_uniform_(linear.weight!);
            // Glorot over the [heads, F′] attention tensors, as PyTorch Geometric's GATConv.
            double bound = Math.Sqrt(6.0 / (heads + outputSize));
            nn.init.uniform_(attentionSource, -bound, bound);
            nn.init.uniform_(attentionTarget, -bound, bound);
        }
        RegisterComponents();
    }

    /// <summary>F, features per input node.</summary>
    public int InputSize { get; }

    /// <summary>F′, features per head.</summary>
    public int OutputSize { get; }

    /// <summary>K, attention heads.</summary>
    public int Heads { get; }

    /// <summary>Whether heads are concatenated (true) or averaged (false).</summary>
    public bool Concat { get; }

    /// <summary>LeakyReLU slope of the attention scores.</summary>
    public double NegativeSlope { get; }

    /// <summary>Drop probability of the attention coefficients in training mode.</summary>
    public double AttentionDropout { get; }

    /// <summary>Width of the output: K·F′ when concatenating, F′ when averaging.</summary>
    public int OutputWidth => Concat ? Heads * OutputSize : OutputSize;

    /// <summary>The shared linear maps of all heads, [K·F′, F] (head k owns rows k·F′ … (k+1)·F′ − 1).</summary>
    public Parameter Weight => linear.weight!;

    /// <summary>The source half of each head's attention vector, [K, F′] (multiplies W h_j).</summary>
    public Parameter AttentionSource => attentionSource;

    /// <summary>The target half of each head's attention vector, [K, F′] (multiplies W h_i).</summary>
    public Parameter AttentionTarget => attentionTarget;

    /// <summary>The bias added after aggregation, [K·F′] or [F′].</summary>
    public Parameter Bias => bias;

    /// <summary>Generator of the attention-dropout masks; the process-wide generator when null.</summary>
    public torch.Generator? DropoutGenerator { get; set; }

    /// <summary>New node features from <paramref name="x"/> [N, F] and the edge index [2, E]: [N, K·F′] or [N, F′].</summary>
    public override Tensor forward(Tensor x, Tensor edgeIndex) => Propagate(x, edgeIndex);

    /// <summary>
    /// The normalised attention coefficients α of every edge, [E, K] (edge order of
    /// <paramref name="edgeIndex"/>), without dropout. For each target node and head they sum to 1
    /// over its incoming edges.
    /// </summary>
    public Tensor AttentionCoefficients(Tensor x, Tensor edgeIndex)
    {
        using var scope = torch.NewDisposeScope();
        var h = Project(x);
        return Attention(h, edgeIndex, x.shape[0]).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) negativeSlopeScalar.Dispose();
        base.Dispose(disposing);
    }

    private Tensor Propagate(Tensor x, Tensor edgeIndex)
    {
        if (x.dim() != 2 || x.shape[1] != InputSize)
            throw new ArgumentException($"Expected node features [N, {InputSize}]; got [{string.Join(", ", x.shape)}].", nameof(x));
        EdgeIndex.Check(edgeIndex, nameof(edgeIndex));
        long n = x.shape[0];
        var h = Project(x);                                                   // [N, K, F′]
        var alpha = Attention(h, edgeIndex, n);                               // [E, K]
        var dropped = GeneratorDropout.Apply(alpha, AttentionDropout, training, DropoutGenerator);
        var messages = h.index_select(0, edgeIndex[0]) * dropped.unsqueeze(-1); // α_ij W h_j, [E, K, F′]
        var aggregated = torch.zeros(n, Heads, OutputSize, dtype: x.dtype, device: x.device)
            .index_add(0, edgeIndex[1], messages, TorchScalars.One);         // Σ over incoming edges
        var output = Concat ? aggregated.reshape(n, (long)Heads * OutputSize) : aggregated.mean(new long[] { 1 });
        return output.add(bias, TorchScalars.One);
    }

    private Tensor Project(Tensor x) => linear.call(x).view(x.shape[0], Heads, OutputSize);

    /// <summary>Segment softmax of the edge scores over each target node's incoming edges.</summary>
    private Tensor Attention(Tensor h, Tensor edgeIndex, long n)
    {
        var source = edgeIndex[0];
        var target = edgeIndex[1];
        var scoreSource = (h * attentionSource).sum(-1);                     // a_sourceᵀ W h_j, [N, K]
        var scoreTarget = (h * attentionTarget).sum(-1);                     // a_targetᵀ W h_i, [N, K]
        var scores = scoreSource.index_select(0, source).add(scoreTarget.index_select(0, target), TorchScalars.One)
            .leaky_relu(negativeSlopeScalar);                                 // e_ij, [E, K]
        GC.KeepAlive(negativeSlopeScalar);
        // Subtracting each target's largest score keeps exp finite and leaves the softmax unchanged
        // (a constant per target), so the maxima carry no gradient.
        var maxima = SegmentMaxima(scores, target, n);
        var exponentials = scores.sub(maxima.index_select(0, target)).exp();
        var sums = torch.zeros(n, Heads, dtype: scores.dtype, device: scores.device).index_add(0, target, exponentials, TorchScalars.One);
        return exponentials / sums.index_select(0, target);
    }

    /// <summary>
    /// max over the incoming edges of each target node of <paramref name="scores"/> [E, K], as a
    /// constant [N, K] tensor (−∞ for nodes without incoming edges, which no edge reads).
    /// TorchSharp 0.107 exposes no <c>scatter_reduce</c>, so the maxima are found in one pass over
    /// the detached scores (E·K comparisons), reading and writing tensor memory in place so that no
    /// managed arrays are allocated per forward pass.
    /// </summary>
    private static Tensor SegmentMaxima(Tensor scores, Tensor target, long n)
    {
        var device = scores.device;
        using var scope = torch.NewDisposeScope();
        var values = scores.detach().cpu().contiguous();
        var targets = target.cpu().contiguous();
        var maxima = torch.empty(n, scores.shape[1], dtype: values.dtype);
        var targetSpan = MemoryMarshal.Cast<byte, long>(targets.bytes);
        if (values.dtype == float64)
            SegmentMaxima(MemoryMarshal.Cast<byte, double>(values.bytes), targetSpan, MemoryMarshal.Cast<byte, double>(maxima.bytes));
        else if (values.dtype == float32)
            SegmentMaxima(MemoryMarshal.Cast<byte, float>(values.bytes), targetSpan, MemoryMarshal.Cast<byte, float>(maxima.bytes));
        else
            throw new NotSupportedException($"GAT attention supports float32 and float64, not {values.dtype}.");
        return maxima.to(device).MoveToOuterDisposeScope();
    }

    private static void SegmentMaxima<T>(ReadOnlySpan<T> values, ReadOnlySpan<long> targets, Span<T> maxima) where T : IFloatingPointIeee754<T>
    {
        maxima.Fill(T.NegativeInfinity);
        int heads = values.Length / Math.Max(1, targets.Length);
        for (int e = 0; e < targets.Length; e++)
        {
            int row = checked((int)targets[e] * heads);
            for (int k = 0; k < heads; k++)
            {
                var v = values[e * heads + k];
                if (v > maxima[row + k]) maxima[row + k] = v;
            }
        }
    }
}
