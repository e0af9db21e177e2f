using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// Kronecker-factored approximate curvature (K-FAC; Martens and Grosse 2015, "Optimizing neural networks with
/// Kronecker-factored approximate curvature", ICML; for convolutions KFC, Grosse and Martens 2016): the Fisher as a
/// block-diagonal matrix with one block per linear or convolution layer, each block the Kronecker product G ⊗ A of two
/// small factors (<see cref="KfacBlock"/>), whose eigenvalues and trace follow from the factors'. The layers' inputs
/// and output gradients are read with forward hooks during one forward and one backward pass per chunk (and per
/// Monte-Carlo sample); nothing of size (parameters)² is formed.
/// </summary>
/// <remarks>
/// With n examples, A = (1/(nT)) Σ_i Σ_t ã_it ã_itᵀ and G = (1/(nS)) Σ_i Σ_s Σ_t g_ist g_istᵀ, where ã_it is the layer's
/// input at location t (a linear layer has T = 1; a convolution's are its T = H_out·W_out patches, unfolded in the
/// order of the weight's [in, k_h, k_w]) with a 1 appended when the bias is measured, and g_ist = ∂ℓ(f(x_i), ŷ_is)/∂s_it
/// the gradient of example i's loss at label ŷ_is (drawn from the model, or the true label for
/// <see cref="KfacFisherType.Empirical"/>) in the layer's output at t (KFC's spatially uncorrelated, homogeneous
/// approximation; curvlinops' "expand"). For one example and T = 1 the factorisation is exact: the block equals the
/// Fisher's block (g ⊗ ã)(g ⊗ ã)ᵀ. Layers covered: every <c>nn.Linear</c> whose weight is measured and whose input is
/// [examples, in], and every <c>nn.Conv2d</c> with one group and zero padding; others (linear layers on sequences,
/// grouped or non-zero-padded convolutions) are listed in <see cref="KfacMetrics.SkippedLayers"/> and are not in the
/// approximation. The module is measured in evaluation mode and restored bit for bit.
/// </remarks>
public static class Kfac
{
    /// <summary>K-FAC's blocks of the landscape's linear and convolution layers.</summary>
    /// <param name="landscape">A supervised landscape.</param>
    /// <param name="options">The data, seed, Fisher type and samples; the defaults when null.</param>
    /// <exception cref="InvalidOperationException">The landscape is not supervised, or none of its layers can be covered.</exception>
    public static KfacMetrics Compute(LossLandscape landscape, KfacOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        options ??= new KfacOptions();
        options.Validate();
        var problem = landscape.Supervised ?? throw new InvalidOperationException(
            "K-FAC needs the network's outputs and labels (a supervised landscape, LossLandscape.ForSupervised or ForNetwork); this landscape has only a loss.");
        var measured = new HashSet<IntPtr>(landscape.Parameters.Select(p => p.Handle));
        var layers = new List<Layer>();
        var skipped = new List<string>();
        foreach (var (name, module) in landscape.Module.named_modules())
        {
            if (module is Linear linear && measured.Contains(linear.weight!.Handle))
                layers.Add(new Layer(name, linear, linear.weight, linear.bias is { } b && measured.Contains(b.Handle), null));
            else if (module is Conv2d conv && measured.Contains(conv.weight!.Handle))
            {
                if (conv.groups != 1 || conv.padding_mode != PaddingModes.Zeros || ConvolutionPadding(conv) is not { } padding) skipped.Add(name);
                else layers.Add(new Layer(name, conv, conv.weight, conv.bias is { } b && measured.Contains(b.Handle), padding));
            }
        }
        if (layers.Count == 0)
            throw new InvalidOperationException(
                "K-FAC covers nn.Linear and nn.Conv2d layers whose weights are measured; the model has none it can cover (a TorchScript module's layers are not visible).");

        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var outer = torch.NewDisposeScope();
        using var gradMode = torch.enable_grad();
        Tensor? batch = null;
        if (options.BatchSize is int size)
        {
            using var batchGenerator = new torch.Generator((ulong)options.Seed);
            batch = landscape.SampleBatch(size, batchGenerator);
        }
        using var generator = new torch.Generator((ulong)CurvatureMeasures.LabelSeed(options.Seed));
        bool monteCarlo = options.FisherType == KfacFisherType.MonteCarlo;
        int samples = monteCarlo ? options.MonteCarloSamples : 1;
        var unsupported = new HashSet<int>();
        var removers = new List<Action>();
        try
        {
            for (int l = 0; l < layers.Count; l++)
            {
                var layer = layers[l];
                // The hook keeps its own handles: the input's rows ã, and a zero leaf z added to the output, so that
                // ∂L/∂z = ∂L/∂s (containers such as Sequential dispose the handles of intermediate tensors).
                var remover = ((nn.Module<Tensor, Tensor>)layer.Module).register_forward_hook((module, input, output) =>
                {
                    var z = torch.zeros_like(output).requires_grad_(true);
                    layer.Calls.Add((input.detach(), z));
                    return output + z;
                });
                removers.Add(() => remover.remove());
            }
            long examples = 0;
            foreach (var indices in Parts(landscape, batch, options.ChunkSize))
            {
                using var scope = torch.NewDisposeScope();
                foreach (var layer in layers) layer.Calls.Clear();
                var outputs = problem.Outputs(indices);
                examples += outputs.shape[0];
                var labels = monteCarlo
                    ? SampledTargets.Draw(problem.Loss, outputs, samples, generator)
                    : (indices is null ? problem.Data.Labels : problem.Data.Labels.index_select(0, indices)).unsqueeze(0);
                var shifts = new List<Tensor>();
                var owners = new List<int>();
                for (int l = 0; l < layers.Count; l++)
                    foreach (var (input, shift) in layers[l].Calls)
                    {
                        if (layers[l].InputRows(input) is not { } rows)
                        {
                            unsupported.Add(l);
                            continue;
                        }
                        layers[l].InputRowCount += rows.shape[0];
                        layers[l].InputSum = Add(layers[l].InputSum, rows.t().matmul(rows));
                        shifts.Add(shift);
                        owners.Add(l);
                    }
                for (int s = 0; s < samples && shifts.Count > 0; s++)
                {
                    var losses = SampledTargets.PerExampleLosses(problem.Loss, outputs, labels[s]);
                    var gradients = torch.autograd.grad(new[] { losses.sum() }, shifts, retain_graph: s + 1 < samples, allow_unused: true);
                    for (int k = 0; k < gradients.Count; k++)
                    {
                        if (gradients[k] is not { } g || g.IsInvalid) continue;
                        var rows = layers[owners[k]].GradientRows(g.detach().to(float64));
                        layers[owners[k]].GradientSum = Add(layers[owners[k]].GradientSum, rows.t().matmul(rows));
                    }
                }
                foreach (var layer in layers)
                {
                    layer.InputSum?.MoveToOuterDisposeScope();
                    layer.GradientSum?.MoveToOuterDisposeScope();
                }
            }

            var blocks = new List<KfacBlock>();
            for (int l = 0; l < layers.Count; l++)
            {
                var layer = layers[l];
                if (unsupported.Contains(l) || layer.InputSum is null) continue;
                int width = (int)layer.Weight.shape[0], inputs = (int)(layer.Weight.numel() / layer.Weight.shape[0]);
                var a = ToMatrix(layer.InputSum / (double)layer.InputRowCount);
                var g = layer.GradientSum is { } sum ? ToMatrix(sum / ((double)examples * samples)) : Matrix<double>.Build.Dense(width, width);
                blocks.Add(new KfacBlock(layer.Name, layer.Padding is null ? KfacLayerKind.Linear : KfacLayerKind.Convolution, width, inputs, layer.HasBias, a, g));
            }
            skipped.AddRange(unsupported.Select(l => layers[l].Name));
            if (blocks.Count == 0)
                throw new InvalidOperationException(
                    $"K-FAC covers nn.Linear layers applied to [examples, features] and plain nn.Conv2d layers; it could cover none of this model's ({string.Join(", ", skipped)}).");
            return new KfacMetrics(blocks, skipped, options.FisherType, samples, landscape.ParameterCount);
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
    }

    /// <summary>A convolution's zero padding (p_h, p_w), or null when it is not a fixed symmetric padding.</summary>
    private static (long, long)? ConvolutionPadding(Conv2d conv)
    {
        if (conv.padding_type is null) return conv.padding is { Length: > 0 } p ? (p[0], p[^1]) : (0, 0);
        if (conv.padding_type == Padding.Valid) return (0, 0);
        // Padding.Same: symmetric only for stride 1 and an even total padding d·(k − 1).
        long th = conv.dilation[0] * (conv.kernel_size[0] - 1), tw = conv.dilation[^1] * (conv.kernel_size[^1] - 1);
        if (conv.stride.Any(s => s != 1) || th % 2 != 0 || tw % 2 != 0) return null;
        return (th / 2, tw / 2);
    }

    private static IEnumerable<Tensor?> Parts(LossLandscape landscape, Tensor? batch, int chunkSize)
    {
        if (batch is not null) yield return batch;
        else if (chunkSize >= landscape.ExampleCount) yield return null;
        else foreach (var (indices, _) in landscape.Chunks(chunkSize)) yield return indices;
    }

    private static Tensor Add(Tensor? sum, Tensor term) => sum is null ? term : sum.add_(term);

    private static Matrix<double> ToMatrix(Tensor t)
    {
        int rows = (int)t.shape[0], columns = (int)t.shape[1];
        var values = t.cpu().contiguous().data<double>().ToArray();
        return Matrix<double>.Build.Dense(rows, columns, (i, j) => values[i * columns + j]);
    }

    /// <summary>One covered layer: its module and parameters, what its hook recorded in the current chunk, and its factor sums.</summary>
    private sealed class Layer(string name, nn.Module module, Parameter weight, bool hasBias, (long H, long W)? padding)
    {
        public string Name { get; } = name;
        public nn.Module Module { get; } = module;
        public Parameter Weight { get; } = weight;
        public bool HasBias { get; } = hasBias;

        /// <summary>The convolution's zero padding; null for a linear layer.</summary>
        public (long H, long W)? Padding { get; } = padding;

        public List<(Tensor Input, Tensor Shift)> Calls { get; } = new();
        public Tensor? InputSum { get; set; }
        public long InputRowCount { get; set; }
        public Tensor? GradientSum { get; set; }

        /// <summary>The rows ã (float64, with the bias's 1), one per example and location; null for an input this layer's K-FAC does not take.</summary>
        public Tensor? InputRows(Tensor input)
        {
            Tensor rows;
            if (Padding is not { } padding)
            {
                if (input.dim() != 2) return null;
                rows = input.to(float64);
            }
            else
            {
                if (input.dim() != 4) return null;
                var conv = (Conv2d)Module;
                var patches = nn.functional.unfold(input.to(float64), (conv.kernel_size[0], conv.kernel_size[^1]),
                    (conv.dilation[0], conv.dilation[^1]), padding, (conv.stride[0], conv.stride[^1])); // [n, in·k_h·k_w, T]
                rows = patches.transpose(1, 2).reshape(-1, patches.shape[1]);
            }
            return HasBias ? torch.cat(new[] { rows, torch.ones(rows.shape[0], 1, dtype: float64, device: rows.device) }, 1) : rows;
        }

        /// <summary>The output gradients as rows [examples·locations, out].</summary>
        public Tensor GradientRows(Tensor gradient) =>
            Padding is null ? gradient : gradient.permute(0, 2, 3, 1).reshape(-1, gradient.shape[1]);
    }
}
