using System.Diagnostics;
using SharpnessML.Transforms.Hessian;
using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Visualization;

/// <summary>
/// Loss surfaces after Li et al. (2018, "Visualizing the Loss Landscape of Neural Nets", NeurIPS;
/// tomgoldstein/loss-landscape): the loss at θ* + x·δ (1D) or θ* + x·δ + y·η (2D) on a grid, δ and η random Gaussian
/// directions with filter normalisation (<see cref="DirectionNormalization.Filter"/>) or the Hessian's top eigenvectors;
/// and the loss along the line between two models, θ_a + x(θ_b − θ_a) (Goodfellow et al., 2015). Every point is
/// evaluated in evaluation mode (BatchNorm running statistics, no dropout) on the same seeded examples, whose tensors
/// are gathered once; the module's parameters, buffers and mode are restored bit for bit afterwards.
/// </summary>
public static class LossSurfaces
{
    /// <summary>The surface of <paramref name="landscape"/> around its current parameters.</summary>
    /// <param name="landscape">The landscape; its measured parameters move (and its BatchNorm statistics when asked).</param>
    /// <param name="options">Grid, directions and examples; defaults when null.</param>
    /// <param name="progress">Called with (points done, points in all) after each grid point; may be null.</param>
    public static LossSurface Compute(LossLandscape landscape, LossSurfaceOptions? options = null, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        options ??= new LossSurfaceOptions();
        options.Validate();
        using var snapshot = ModelStateSnapshot.Capture(landscape.Module);
        using var scope = torch.NewDisposeScope();
        var subset = options.ExampleCount is int n ? landscape.Subset(n, options.Seed) : landscape;
        using var evaluator = new SurfaceEvaluator(subset, options.BatchNormStatistics == BatchNormStatistics.Perturbed, options.ChunkSize);
        int count = options.TwoDimensional ? 2 : 1;
        IReadOnlyList<double>? eigenvalues = null;
        Tensor[][] directions;
        if (options.Directions == SurfaceDirections.Random)
        {
            using var generator = new torch.Generator((ulong)options.Seed);
            directions = Enumerable.Range(0, count).Select(_ => ParameterVectors.Gaussian(evaluator.Centre, generator)).ToArray();
        }
        else
        {
            (directions, eigenvalues) = HessianDirections(subset, evaluator, count, options);
        }
        foreach (var d in directions)
            FilterNormalization.Apply(d, evaluator.Centre, options.Normalization, options.IgnoreBiasAndNormalization);
        var xs = options.Coordinates();
        var ys = options.TwoDimensional ? options.Coordinates() : null;
        var kind = options.Directions == SurfaceDirections.Random ? "random" : "hessian";
        return Evaluate(evaluator, kind, directions[0], count > 1 ? directions[1] : null, xs, ys, eigenvalues, progress);
    }

    /// <summary>
    /// The loss along the line from <paramref name="from"/>'s model to <paramref name="to"/>'s, θ(x) = θ_a + x(θ_b − θ_a),
    /// at <see cref="LossSurfaceOptions.Steps"/> points from <see cref="LossSurfaceOptions.RangeMin"/> to
    /// <see cref="LossSurfaceOptions.RangeMax"/> (e.g. −0.5 to 1.5, Goodfellow et al.'s and Li et al.'s plots), on
    /// <paramref name="from"/>'s examples with <paramref name="from"/>'s module: x = 0 is model a, x = 1 model b. The
    /// BatchNorm running statistics move with the weights (their code's default <c>states</c> for this plot), so both ends
    /// are exactly the two models. Normalisation, the directions and <see cref="LossSurfaceOptions.TwoDimensional"/> do not apply.
    /// </summary>
    /// <exception cref="ArgumentException">The two models' parameters or statistics differ in number or shape (the message names the first that differs).</exception>
    public static LossSurface Interpolate(LossLandscape from, LossLandscape to, LossSurfaceOptions? options = null, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        options ??= new LossSurfaceOptions();
        options.Validate();
        var target = to.Parameters.Cast<Tensor>().Concat(SurfaceEvaluator.RunningStatistics(to.Module).Select(b => b.Tensor)).ToList();
        using var snapshot = ModelStateSnapshot.Capture(from.Module);
        using var scope = torch.NewDisposeScope();
        var subset = options.ExampleCount is int n ? from.Subset(n, options.Seed) : from;
        using var evaluator = new SurfaceEvaluator(subset, moveStatistics: true, options.ChunkSize);
        if (target.Count != evaluator.Moved.Count)
            throw new ArgumentException($"The two models differ: {evaluator.Moved.Count} parameters and statistics against {target.Count}.");
        var direction = new Tensor[target.Count];
        for (int k = 0; k < target.Count; k++)
        {
            var a = evaluator.Centre[k];
            if (!a.shape.SequenceEqual(target[k].shape))
                throw new ArgumentException($"The two models differ at '{evaluator.MovedNames[k]}': [{string.Join(", ", a.shape)}] against [{string.Join(", ", target[k].shape)}].");
            direction[k] = target[k].detach().to(a.dtype).to(a.device) - a;
        }
        return Evaluate(evaluator, "interpolation", direction, null, options.Coordinates(), null, null, progress);
    }

    /// <summary>The surface over explicit directions (tests and the measure): no normalisation is applied.</summary>
    internal static LossSurface Evaluate(SurfaceEvaluator evaluator, string kind, IReadOnlyList<Tensor> dx, IReadOnlyList<Tensor>? dy,
        double[] xs, double[]? ys, IReadOnlyList<double>? eigenvalues, Action<int, int>? progress)
    {
        int rows = ys?.Length ?? 1;
        var loss = new double[rows, xs.Length];
        var accuracy = evaluator.HasAccuracy ? new double[rows, xs.Length] : null;
        int total = rows * xs.Length, done = 0;
        for (int j = 0; j < rows; j++)
        for (int i = 0; i < xs.Length; i++)
        {
            var (l, a) = evaluator.At(xs[i], dx, ys?[j] ?? 0, dy);
            loss[j, i] = l;
            if (accuracy != null) accuracy[j, i] = a!.Value;
            progress?.Invoke(++done, total);
        }
        var norms = new List<double> { ParameterVectors.Norm(dx) };
        if (dy != null) norms.Add(ParameterVectors.Norm(dy));
        return new LossSurface(kind, xs, ys, loss, accuracy, evaluator.ExampleCount, eigenvalues, norms);
    }

    /// <summary>The top <paramref name="count"/> Hessian eigenvectors of the surface's loss, shaped like the moved tensors (zero for running statistics).</summary>
    private static (Tensor[][] Directions, IReadOnlyList<double> Eigenvalues) HessianDirections(LossLandscape subset, SurfaceEvaluator evaluator,
        int count, LossSurfaceOptions options)
    {
        var lanczos = new LanczosOptions { Count = count, MaxIterations = Math.Max(count, options.LanczosIterations), Seed = options.Seed };
        EigenvalueResult result;
        Tensor[] vectors;
        using (var op = new HessianOperator(subset, null, options.ChunkSize, reuseGradientGraph: true))
        {
            if (op.Dimension < count) throw new ArgumentException($"A surface along {count} Hessian eigenvectors needs at least {count} parameters; the model has {op.Dimension}.");
            (result, vectors) = Lanczos.TopEigenpairs(op, lanczos);
        }
        var parameters = evaluator.Centre.Take(subset.Parameters.Count).ToList();
        var directions = vectors.Select(v =>
        {
            var shaped = ParameterVectors.Unflatten(v, parameters).Select((t, k) => t.to(parameters[k].dtype).clone()).ToList();
            for (int k = parameters.Count; k < evaluator.Moved.Count; k++) shaped.Add(torch.zeros_like(evaluator.Centre[k]));
            return shaped.ToArray();
        }).ToArray();
        Debug.Assert(directions.Length == count);
        return (directions, result.Eigenvalues);
    }
}
