using SharpnessML.Transforms.Landscape;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpnessML.Transforms.Perturbation;

/// <summary>
/// Worst-case m-sharpness by projected gradient ascent (Foret et al. 2021; Kwon et al. 2021;
/// Andriushchenko et al. 2023): on each random batch B of m examples, ascend L_B(w+δ) over the set
/// ‖δ⊙c⁻¹‖_p ≤ ρ with steepest-ascent steps and exact projections, from random starts, and keep the
/// best iterate; report the mean over batches of max L_B(w+δ) − L_B(w). The model is measured in
/// evaluation mode and restored bit for bit afterwards.
/// </summary>
public static class WorstCaseSharpness
{
    /// <summary>Estimates the sharpness of <paramref name="landscape"/>.</summary>
    public static SharpnessMetrics Estimate(LossLandscape landscape, WorstCaseSharpnessOptions options)
    {
        options.Validate();
        if (options.Parameters is { } filter) landscape = landscape.WithParameters(filter);
        var settings = new KeyValuePair<string, object>[]
        {
            new("rho", options.Rho), new("algorithm", options.Algorithm.ToString()), new("steps", options.Steps),
            new("restarts", options.Restarts), new("batch_size", options.BatchSize), new("batches", options.Batches),
        };
        return RandomBatchEstimate.Run(landscape, options.MeasureName, options.Rho, options.BatchSize, options.Batches, options.Seed, settings,
            weights => (Weights: weights, Set: new PerturbationSet(weights, options.Rho, options.Norm, options.Adaptive, options.L2Geometry)),
            (state, batch, baseLoss) => RandomBatchEstimate.BestOfRestarts(options.Seed, batch.Index, options.Restarts, baseLoss,
                (starts, r) => Ascend(landscape, batch.Examples, state.Weights, state.Set, options, starts, r)) - baseLoss,
            release: state =>
            {
                foreach (var s in state.Set.Scales) s.Dispose();
            });
    }

    /// <summary>One ascent from a start point; returns the highest loss among its iterates.</summary>
    private static double Ascend(LossLandscape landscape, Tensor batch, Tensor[] weights, PerturbationSet set,
        WorstCaseSharpnessOptions options, torch.Generator generator, int restart)
    {
        var start = options.RandomStart || restart > 0
            ? set.RandomPoint(generator)
            : weights.Select(w => torch.zeros_like(w)).ToArray();
        var ascent = new Ascent(landscape, batch, weights);
        try
        {
            return options.Algorithm == AscentAlgorithm.Pga
                ? ascent.ProjectedGradient(set, start, options.Steps, options.StepSize * options.Rho)
                : ascent.AutoPgd(set, start, options.Steps, options.Rho);
        }
        finally
        {
            ParameterVectors.Assign(landscape.Parameters, weights);
        }
    }

    /// <summary>
    /// Loss and gradient at a point of the search space on one batch, with the best value seen. The
    /// point is δ (loss at w + δ) unless another objective is given, e.g. a geodesic's initial velocity.
    /// </summary>
    internal sealed class Ascent
    {
        private readonly Func<IReadOnlyList<Tensor>, bool, (double Loss, Tensor[] Gradient)> objective;

        public Ascent(LossLandscape landscape, Tensor batch, Tensor[] weights) =>
            objective = (delta, gradient) => Shifted(landscape, batch, weights, delta, gradient);

        /// <summary>Ascends <paramref name="objective"/>: (point, gradient wanted) → (loss, detached Euclidean gradient or empty).</summary>
        public Ascent(Func<IReadOnlyList<Tensor>, bool, (double Loss, Tensor[] Gradient)> objective) => this.objective = objective;

        public double Best { get; private set; } = double.NegativeInfinity;

        private (double Loss, Tensor[] Gradient) Evaluate(IReadOnlyList<Tensor> point, bool gradient = true)
        {
            var (value, grads) = objective(point, gradient);
            Best = Math.Max(Best, value);
            return (value, grads);
        }

        /// <summary>L(w + δ) and ∇L(w + δ); the gradient is detached and survives the caller's scope only if moved out.</summary>
        private static (double Loss, Tensor[] Gradient) Shifted(LossLandscape landscape, Tensor batch, Tensor[] weights,
            IReadOnlyList<Tensor> delta, bool gradient)
        {
            var parameters = landscape.Parameters;
            ParameterVectors.Assign(parameters, PerturbationSet.Shift(weights, delta));
            if (!gradient)
            {
                using (torch.no_grad()) return (landscape.Loss(batch).item<float>(), Array.Empty<Tensor>());
            }
            var loss = landscape.Loss(batch);
            double lossValue = loss.item<float>();
            var grads = torch.autograd.grad(new[] { loss }, parameters.Cast<Tensor>().ToArray(), allow_unused: true)
                .Select((g, i) => g is null || g.IsInvalid ? torch.zeros_like(parameters[i]) : g.detach()).ToArray();
            return (lossValue, grads);
        }

        private static Tensor[] Keep(IEnumerable<Tensor> tensors)
        {
            var kept = tensors.Select(t => t.detach()).ToArray();
            foreach (var t in kept) t.DetachFromDisposeScope();
            return kept;
        }

        private static void Free(IEnumerable<Tensor>? tensors)
        {
            if (tensors is null) return;
            foreach (var t in tensors) t.Dispose();
        }

        /// <summary>Plain PGA: δ ← Π(δ + step(∇L)).</summary>
        public double ProjectedGradient(IAscentSpace set, Tensor[] start, int steps, double stepLength)
        {
            var delta = Keep(start);
            try
            {
                for (int t = 0; t < steps; t++)
                {
                    using var scope = torch.NewDisposeScope();
                    var (_, g) = Evaluate(delta);
                    var next = Keep(set.Project(ParameterVectors.Add(delta, set.AscentStep(g, stepLength))));
                    Free(delta);
                    delta = next;
                }
                using (torch.NewDisposeScope()) Evaluate(delta, gradient: false);
                return Best;
            }
            finally
            {
                Free(delta);
            }
        }

        /// <summary>
        /// Auto-PGD (Croce &amp; Hein, 2020, Algorithm 1) in the set's own geometry: step η starting at
        /// 2ρ, momentum α = 0.75, and at each checkpoint w_j the step is halved (and the iterate reset
        /// to the best point) when fewer than 75% of the steps since the last checkpoint increased the
        /// loss, or when neither the step nor the best loss changed since then.
        /// </summary>
        public double AutoPgd(IAscentSpace set, Tensor[] start, int steps, double rho)
        {
            const double momentum = 0.75, successFraction = 0.75;
            var checkpoints = Checkpoints(steps);
            double eta = 2 * rho;
            Tensor[]? previous = null;
            var current = Keep(start);
            Tensor[]? bestPoint = null;
            double bestValue = double.NegativeInfinity;
            try
            {
                double lastValue;
                Tensor[] gradient;
                using (var scope = torch.NewDisposeScope())
                {
                    var (v, g) = Evaluate(current);
                    lastValue = v;
                    gradient = Keep(g);
                }
                bestValue = lastValue;
                bestPoint = Keep(current.Select(t => t.clone()));
                int successes = 0, lastCheckpoint = 0;
                double etaAtLastCheckpoint = eta, bestAtLastCheckpoint = bestValue;
                for (int k = 0; k < steps; k++)
                {
                    using var scope = torch.NewDisposeScope();
                    var z = set.Project(ParameterVectors.Add(current, set.AscentStep(gradient, eta)));
                    Tensor[] next;
                    if (previous is null) next = z;
                    else
                    {
                        // x + α(z − x) + (1 − α)(x − x_prev), then project.
                        var mixed = current.Select((x, i) => x + momentum * (z[i] - x) + (1 - momentum) * (x - previous[i])).ToArray();
                        next = set.Project(mixed);
                    }
                    var (value, g) = Evaluate(next, gradient: k + 1 < steps);
                    if (value > lastValue) successes++;
                    Free(previous);
                    previous = current;
                    current = Keep(next);
                    Free(gradient);
                    gradient = Keep(g);
                    lastValue = value;
                    if (value > bestValue)
                    {
                        bestValue = value;
                        Free(bestPoint);
                        bestPoint = Keep(current.Select(t => t.clone()));
                    }
                    if (checkpoints.Contains(k + 1) && k + 1 < steps)
                    {
                        int span = k + 1 - lastCheckpoint;
                        bool fewSuccesses = successes < successFraction * span;
                        bool stalled = etaAtLastCheckpoint == eta && bestAtLastCheckpoint == bestValue;
                        etaAtLastCheckpoint = eta;
                        bestAtLastCheckpoint = bestValue;
                        if (fewSuccesses || stalled)
                        {
                            eta /= 2;
                            Free(current);
                            current = Keep(bestPoint!.Select(t => t.clone()));
                            using (torch.NewDisposeScope())
                            {
                                var (v, gBest) = Evaluate(current);
                                lastValue = v;
                                Free(gradient);
                                gradient = Keep(gBest);
                            }
                        }
                        successes = 0;
                        lastCheckpoint = k + 1;
                    }
                }
                Free(gradient);
                return Best;
            }
            finally
            {
                Free(previous);
                Free(current);
                Free(bestPoint);
            }
        }

        /// <summary>Auto-PGD's checkpoints ⌈p_j · N⌉ with p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06).</summary>
        internal static HashSet<int> Checkpoints(int steps)
        {
            var result = new HashSet<int>();
            double before = 0, p = 0.22;
            while (p <= 1)
            {
                result.Add((int)Math.Ceiling(p * steps - 1e-9));
                double next = p + Math.Max(p - before - 0.03, 0.06);
                before = p;
                p = next;
            }
            return result;
        }
    }
}
