using SharpnessML.Trainers.Training;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// Evaluates a landscape's loss (and accuracy) at θ* + x·δ + y·η for many (x, y): the tensors that move (the measured
/// parameters, and the BatchNorm running statistics when they move too), a copy of their values at the centre, and the
/// examples, gathered once so every point reuses the same data tensors. The caller holds the module's snapshot (which
/// also puts it in evaluation mode); <see cref="Dispose"/> puts the centre values back.
/// </summary>
internal sealed class SurfaceEvaluator : IDisposable
{
    private readonly LossLandscape landscape;
    private readonly int chunkSize;
    private readonly Tensor[] centre;

    /// <param name="landscape">The landscape (already restricted to the surface's examples).</param>
    /// <param name="moveStatistics">Whether the module's BatchNorm running means and variances move too (<see cref="BatchNormStatistics.Perturbed"/>).</param>
    /// <param name="chunkSize">Examples per forward pass.</param>
    public SurfaceEvaluator(LossLandscape landscape, bool moveStatistics, int chunkSize)
    {
        this.landscape = landscape;
        this.chunkSize = chunkSize;
        var moved = landscape.Parameters.Cast<Tensor>().ToList();
        if (moveStatistics) moved.AddRange(RunningStatistics(landscape.Module).Select(b => b.Tensor));
        Moved = moved;
        MovedNames = Names(landscape);
        if (moveStatistics) MovedNames = MovedNames.Concat(RunningStatistics(landscape.Module).Select(b => b.Name)).ToList();
        centre = ParameterVectors.Clone(moved);
        foreach (var c in centre) c.DetachFromDisposeScope();
    }

    /// <summary>The tensors that move, in order: the landscape's parameters, then the running statistics (when they move).</summary>
    public IReadOnlyList<Tensor> Moved { get; }

    /// <summary>The names of <see cref="Moved"/> in the module.</summary>
    public IReadOnlyList<string> MovedNames { get; }

    /// <summary>Their values at the centre θ* (the evaluator's copies).</summary>
    public IReadOnlyList<Tensor> Centre => centre;

    /// <summary>Examples each point is evaluated on.</summary>
    public int ExampleCount => landscape.ExampleCount;

    /// <summary>Whether an accuracy is measured (a supervised classifier).</summary>
    public bool HasAccuracy => landscape.Supervised is { IsClassification: true };

    /// <summary>The BatchNorm running means and variances of <paramref name="module"/> with their names (floating-point buffers only).</summary>
    public static IReadOnlyList<(string Name, Tensor Tensor)> RunningStatistics(nn.Module module) =>
        module.named_buffers()
            .Where(b => (b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal))
                        && b.buffer.is_floating_point())
            .Select(b => (b.name, b.buffer)).ToList();

    /// <summary>Loss and accuracy (null for a regression) at θ* + x·δ + y·η (η may be null).</summary>
    public (double Loss, double? Accuracy) At(double x, IReadOnlyList<Tensor> dx, double y = 0, IReadOnlyList<Tensor>? dy = null)
    {
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
            for (int k = 0; k < Moved.Count; k++)
            {
                var target = Moved[k];
                target.copy_(centre[k]);
                if (x != 0) target.add_(dx[k], alpha: x);
                if (dy != null && y != 0) target.add_(dy[k], alpha: y);
            }
        return Evaluate();
    }

    /// <summary>Loss and accuracy of the module as it is now, over the examples, in chunks of the chunk size.</summary>
    public (double Loss, double? Accuracy) Evaluate()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        double loss = 0, correct = 0;
        var problem = landscape.Supervised;
        bool whole = landscape.ExampleCount <= chunkSize;
        foreach (var (indices, weight) in whole ? new[] { ((Tensor?)null, 1.0) } : landscape.Chunks(chunkSize).Select(c => ((Tensor?)c.Indices, c.Weight)))
        {
            using var chunk = torch.NewDisposeScope();
            if (problem is null)
            {
                loss += weight * landscape.Loss(indices).to(float64).item<double>();
                continue;
            }
            var outputs = problem.Outputs(indices);
            var labels = indices is null ? problem.Data.Labels : problem.Data.Labels.index_select(0, indices);
            loss += weight * problem.Loss.Compute(outputs, labels).to(float64).item<double>();
            if (problem.IsClassification) correct += outputs.argmax(1).eq(labels).sum().to(float64).item<double>();
        }
        return (loss, HasAccuracy ? correct / landscape.ExampleCount : null);
    }

    /// <summary>Puts the centre values back and frees the copies.</summary>
    public void Dispose()
    {
        ParameterVectors.Assign(Moved, centre);
        foreach (var c in centre) c.Dispose();
    }

    private static IReadOnlyList<string> Names(LossLandscape landscape)
    {
        var named = landscape.Module.named_parameters().ToList();
        return landscape.Parameters.Select((p, i) =>
        {
            foreach (var (name, q) in named)
                if (ReferenceEquals(p, q) || p.Handle == q.Handle) return name;
            return $"parameter{i}";
        }).ToList();
    }
}
