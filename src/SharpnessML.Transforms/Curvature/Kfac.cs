using MathNet.Numerics.LinearAlgebra;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Curvature;

/// <summary>
/// Kronecker-factored approximate curvature (K-FAC; Martens and Grosse 2015, "Optimizing neural networks with
/// Kronecker-factored approximate curvature", ICML): the Fisher as a block-diagonal matrix with one block per linear
/// layer, each block the Kronecker product G ⊗ A of two small factors (<see cref="KfacBlock"/>), whose eigenvalues
/// and trace follow from the factors'. The layers' inputs and output gradients are read with forward hooks during
/// one forward and one backward pass per chunk (and per Monte-Carlo sample); nothing of size (parameters)² is formed.
/// </summary>
/// <remarks>
/// With n examples, A = (1/n) Σ_i ã_i ã_iᵀ and G = (1/(nS)) Σ_i Σ_s g_is g_isᵀ, where g_is = ∂ℓ(f(x_i), ŷ_is)/∂s_i is
/// the gradient of example i's loss at label ŷ_is (drawn from the model, or the true label for
/// <see cref="KfacFisherType.Empirical"/>) in the layer's outputs. For one example the factorisation is exact: the block
/// equals the Fisher's block (g ⊗ ã)(g ⊗ ã)ᵀ. Layers covered: every <c>nn.Linear</c> module whose weight is measured
/// and whose input is [examples, in]; linear layers applied to sequences and convolutions are listed in
/// <see cref="KfacMetrics.SkippedLayers"/> (their parameters are not in the approximation). The module is measured in
/// evaluation mode and restored bit for bit.
/// </remarks>
public static class Kfac
{
    /// <summary>K-FAC's blocks of the landscape's linear layers.</summary>
    /// <param name="landscape">A supervised landscape.</param>
    /// <param name="options">The data, seed, Fisher type and samples; the defaults when null.</param>
    /// <exception cref="InvalidOperationException">The landscape is not supervised, or none of its linear layers can be covered.</exception>
    public static KfacMetrics Compute(LossLandscape landscape, KfacOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        options ??= new KfacOptions();
        options.Validate();
        var problem = landscape.Supervised ?? throw new InvalidOperationException(
            "K-FAC needs the network's outputs and labels (a supervised landscape, LossLandscape.ForSupervised or ForNetwork); this landscape has only a loss.");
        var measured = new HashSet<IntPtr>(landscape.Parameters.Select(p => p.Handle));
        var layers = landscape.Module.named_modules()
            .Where(m => m.module is Linear linear && measured.Contains(linear.weight!.Handle))
            .Select(m => (Name: m.name, Layer: (Linear)m.module)).ToList();
        if (layers.Count == 0)
            throw new InvalidOperationException("K-FAC covers nn.Linear layers whose weights are measured; the model has none (a TorchScript module's layers are not visible).");

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

        var calls = layers.Select(_ => new List<(Tensor Input, Tensor Shift)>()).ToList();
        var inputSums = new Tensor?[layers.Count];
        var outputSums = new Tensor?[layers.Count];
        var skipped = new HashSet<int>();
        var hasBias = layers.Select(l => l.Layer.bias is { } b && measured.Contains(b.Handle)).ToArray();
        var removers = new List<IDisposable>();
        try
        {
            for (int l = 0; l < layers.Count; l++)
            {
                int index = l;
                // The hook keeps its own handles: a detached copy of the input, and a zero leaf z added to the output, so that
                // ∂L/∂z = ∂L/∂s (containers such as Sequential dispose the handles of intermediate tensors).
                var remover = layers[l].Layer.register_forward_hook((module, input, output) =>
                {
                    var z = torch.zeros_like(output).requires_grad_(true);
                    calls[index].Add((input.detach(), z));
                    return output + z;
                });
                removers.Add(new HookHandle(() => remover.remove()));
            }
            long examples = 0;
            foreach (var indices in Parts(landscape, batch, options.ChunkSize))
            {
                using var scope = torch.NewDisposeScope();
                foreach (var list in calls) list.Clear();
                var outputs = problem.Outputs(indices);
                long count = outputs.shape[0];
                examples += count;
                var labels = monteCarlo
                    ? SampledTargets.Draw(problem.Loss, outputs, samples, generator)
                    : (indices is null ? problem.Data.Labels : problem.Data.Labels.index_select(0, indices)).unsqueeze(0);
                var layerOutputs = new List<Tensor>();
                var owners = new List<int>();
                for (int l = 0; l < layers.Count; l++)
                    foreach (var (input, shift) in calls[l])
                    {
                        if (input.dim() != 2 || shift.dim() != 2)
                        {
                            skipped.Add(l);
                            continue;
                        }
                        var a = input.detach().to(float64);
                        if (hasBias[l]) a = torch.cat(new[] { a, torch.ones(a.shape[0], 1, dtype: float64, device: a.device) }, 1);
                        inputSums[l] = Add(inputSums[l], a.t().matmul(a));
                        layerOutputs.Add(shift);
                        owners.Add(l);
                    }
                if (layerOutputs.Count == 0) continue;
                for (int s = 0; s < samples; s++)
                {
                    var losses = SampledTargets.PerExampleLosses(problem.Loss, outputs, labels[s]);
                    var gradients = torch.autograd.grad(new[] { losses.sum() }, layerOutputs, retain_graph: s + 1 < samples, allow_unused: true);
                    for (int k = 0; k < gradients.Count; k++)
                    {
                        var g = gradients[k];
                        if (g is null || g.IsInvalid) continue;
                        var g64 = g.detach().to(float64);
                        outputSums[owners[k]] = Add(outputSums[owners[k]], g64.t().matmul(g64));
                    }
                }
                for (int l = 0; l < layers.Count; l++)
                {
                    inputSums[l]?.MoveToOuterDisposeScope();
                    outputSums[l]?.MoveToOuterDisposeScope();
                }
            }

            var blocks = new List<KfacBlock>();
            for (int l = 0; l < layers.Count; l++)
            {
                if (skipped.Contains(l) || inputSums[l] is null) continue;
                var (name, layer) = layers[l];
                int outputsWidth = (int)layer.weight!.shape[0], inputsWidth = (int)layer.weight.shape[1];
                var a = ToMatrix(inputSums[l]! / examples);
                var g = outputSums[l] is { } sum ? ToMatrix(sum / ((double)examples * samples)) : Matrix<double>.Build.Dense(outputsWidth, outputsWidth);
                blocks.Add(new KfacBlock(name, outputsWidth, inputsWidth, hasBias[l], a, g));
            }
            if (blocks.Count == 0)
                throw new InvalidOperationException("K-FAC covers nn.Linear layers applied to [examples, features] inputs; every linear layer of this model sees another shape.");
            return new KfacMetrics(blocks, skipped.Select(l => layers[l].Name).ToList(), options.FisherType, samples, landscape.ParameterCount);
        }
        finally
        {
            foreach (var remover in removers) remover.Dispose();
        }
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

    private sealed class HookHandle(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
